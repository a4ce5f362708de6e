// Package endpointslice keeps each Service's EndpointSlices in step with its pods.
package endpointslice
