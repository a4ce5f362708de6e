package servicelb

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// served reports whether this provider is the one for svc's load balancer: no class (the
// cluster's default provider, as upstream's service controller) or Class.
func served(svc *corev1.Service) bool {
	return svc.Spec.LoadBalancerClass == nil || *svc.Spec.LoadBalancerClass == Class
}

// wantsLoadBalancer reports whether svc should have an address now.
func wantsLoadBalancer(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeLoadBalancer && served(svc) && svc.DeletionTimestamp == nil
}

func hasFinalizer(svc *corev1.Service) bool {
	for _, f := range svc.Finalizers {
		if f == LoadBalancerCleanupFinalizer {
			return true
		}
	}
	return false
}

// ingressAddrs are the addresses in svc's load balancer status.
func ingressAddrs(svc *corev1.Service) []netip.Addr {
	var out []netip.Addr
	for _, in := range svc.Status.LoadBalancer.Ingress {
		if a, err := netip.ParseAddr(in.IP); err == nil {
			out = append(out, a.Unmap())
		}
	}
	return out
}

// wantsIPv6 reports whether svc's primary family is IPv6.
func wantsIPv6(svc *corev1.Service) bool {
	return len(svc.Spec.IPFamilies) > 0 && svc.Spec.IPFamilies[0] == corev1.IPv6Protocol
}

// statusFor is the load balancer status of an address: the address as a VIP, so the node's
// proxy also serves it to pods (ipMode VIP, the default).
func statusFor(a netip.Addr) corev1.LoadBalancerStatus {
	return corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: a.String(), IPMode: ptr.To(corev1.LoadBalancerIPModeVIP)}}}
}

// statusEqual compares load balancer statuses by address and mode.
func statusEqual(a, b corev1.LoadBalancerStatus) bool {
	if len(a.Ingress) != len(b.Ingress) {
		return false
	}
	for i := range a.Ingress {
		x, y := a.Ingress[i], b.Ingress[i]
		if x.IP != y.IP || x.Hostname != y.Hostname || ptr.Deref(x.IPMode, "") != ptr.Deref(y.IPMode, "") || len(x.Ports) != len(y.Ports) {
			return false
		}
	}
	return true
}
