// Package cri is the node agent's client of the container runtime: CRI v1 over gRPC through
// k8s.io/cri-client, narrowed to the calls the kubelet makes.
package cri
