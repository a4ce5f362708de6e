// Package interpodaffinity is the InterPodAffinity plugin: required pod affinity and
// anti-affinity (the pod's own and existing pods') filter nodes, preferred terms score them.
package interpodaffinity
