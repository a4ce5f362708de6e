// Package replicationcontroller is the registry of core/v1 ReplicationControllers and their
// status and scale subresources.
package replicationcontroller
