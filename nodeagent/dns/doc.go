// Package dns is skiff's built-in cluster DNS: it answers the Kubernetes DNS schema for Services,
// EndpointSlices and pods from client-go informers, as CoreDNS's kubernetes plugin does with
// kubeadm's Corefile, forwards other names to the host's resolvers, and builds pods' resolv.conf.
package dns
