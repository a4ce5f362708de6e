// Package ingressclass is the registry of networking.k8s.io/v1 IngressClasses.
package ingressclass
