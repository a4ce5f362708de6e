// Package cache is the scheduler's view of nodes and pods, including pods assumed onto a node
// before their binding is seen, and brings a nodeinfo.Snapshot up to date incrementally.
package cache
