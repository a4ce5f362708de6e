// Package pod is the registry of core/v1 Pods and their status, binding, eviction and
// ephemeralcontainers subresources.
package pod
