// Package nodeinfo holds the scheduler's per-node aggregates (NodeInfo, PodInfo, Resource) and the
// Snapshot of them that plugins read through framework.SharedLister.
package nodeinfo
