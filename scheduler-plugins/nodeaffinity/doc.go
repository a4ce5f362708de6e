// Package nodeaffinity is the NodeAffinity plugin: spec.nodeSelector and required node affinity
// filter nodes, preferred node affinity scores them, and NodeAffinityArgs.addedAffinity applies to
// every pod of the profile.
package nodeaffinity
