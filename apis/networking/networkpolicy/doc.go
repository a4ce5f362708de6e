// Package networkpolicy is the registry of networking.k8s.io/v1 NetworkPolicies.
package networkpolicy
