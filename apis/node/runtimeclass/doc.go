// Package runtimeclass is the registry of node.k8s.io/v1 RuntimeClasses.
package runtimeclass
