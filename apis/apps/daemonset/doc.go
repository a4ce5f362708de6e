// Package daemonset is the registry of apps/v1 DaemonSets and their status subresource.
package daemonset
