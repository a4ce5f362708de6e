// Package replicaset keeps a ReplicaSet's pods at its replica count.
package replicaset
