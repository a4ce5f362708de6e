// Package podservices maps pod events to the Services whose selector picks the pod, for the
// endpoints and endpointslice controllers.
package podservices
