// Package service is the registry of core/v1 Services: validation as upstream, and ClusterIP
// and NodePort allocation with state kept in etcd (IPAddress objects for cluster IPs, a
// RangeAllocation bitmap for node ports).
package service
