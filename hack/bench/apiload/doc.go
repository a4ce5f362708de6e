// Command apiload measures the throughput and latency of a Kubernetes-compatible API server through
// client-go, against any kubeconfig, and prints one markdown table row per measurement.
package main
