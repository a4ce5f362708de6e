// Package volumes makes a pod's volumes exist on the node, as the kubelet's volume plugins
// lay them out under <root>/pods/<uid>/volumes, and turns a container's volumeMounts into
// CRI mounts.
package volumes
