// Package agent composes a real node: a container runtime (containerd as a child process or an
// external one), the pod network's CNI configuration, the kubelet and its HTTPS API, the Service
// proxy and the cluster DNS server with its kube-system/kube-dns Service.
package agent
