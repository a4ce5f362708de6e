// Package ingress is the registry of networking.k8s.io/v1 Ingresses.
package ingress
