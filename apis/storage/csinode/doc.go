// Package csinode is the registry of storage.k8s.io/v1 CSINodes.
package csinode
