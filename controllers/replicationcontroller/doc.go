// Package replicationcontroller keeps a ReplicationController's pods at its replica count, on the ReplicaSet controller's logic.
package replicationcontroller
