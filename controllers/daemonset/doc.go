// Package daemonset runs one pod of a DaemonSet on every eligible node.
package daemonset
