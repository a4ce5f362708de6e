// Package kubelet runs pods bound to this node on a CRI runtime and reports the node and its pods
// to the API server as upstream's kubelet does.
package kubelet
