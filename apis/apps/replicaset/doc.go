// Package replicaset is the registry of apps/v1 ReplicaSets and their status and scale subresources.
package replicaset
