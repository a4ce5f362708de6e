// Package endpointslice is the registry of discovery.k8s.io/v1 EndpointSlices.
package endpointslice
