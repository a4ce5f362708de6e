// Package servicelb is skiff's local LoadBalancer provider: it gives Services of type LoadBalancer
// addresses from a pool, which the node agent's Service proxy then serves, as k3s's ServiceLB and
// MetalLB do for clusters without a cloud.
package servicelb
