// Package kubeletserver serves the kubelet's HTTPS API on a node: health, metrics, pods, stats,
// container logs, and exec/attach/port-forward proxied to the container runtime's streaming server.
package kubeletserver
