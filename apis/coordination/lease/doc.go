// Package lease is the registry of coordination.k8s.io/v1 Leases.
package lease
