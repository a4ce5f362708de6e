package proxy

import (
	"cmp"
	"net"
	"slices"
	"strings"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	netutils "k8s.io/utils/net"
)

// labelServiceProxyName marks Services handled by another proxy; kube-proxy skips them.
const labelServiceProxyName = "service.kubernetes.io/service-proxy-name"

// portName names one port of a Service, as kube-proxy's ServicePortName.
type portName struct {
	types.NamespacedName
	Port     string
	Protocol v1.Protocol
}

// String is ns/name or ns/name:port, as upstream's rule comments show it.
func (n portName) String() string {
	if n.Port == "" {
		return n.NamespacedName.String()
	}
	return n.NamespacedName.String() + ":" + n.Port
}

// servicePort is one port of a proxied Service, in one IP family.
type servicePort struct {
	name      portName
	clusterIP string
	port      int
	nodePort  int
	// externalIPs and lbIPs are the service's externalIPs and VIP-mode load balancer
	// ingress IPs of the family.
	externalIPs []string
	lbIPs       []string
	// sourceRanges are loadBalancerSourceRanges of the family; empty when any matches.
	sourceRanges []*net.IPNet
	// affinitySeconds is the ClientIP affinity timeout; 0 without affinity.
	affinitySeconds int
	internalLocal   bool
	externalLocal   bool
}

func (s *servicePort) protocol() string { return strings.ToLower(string(s.name.Protocol)) }

// externallyAccessible: reachable other than by ClusterIP.
func (s *servicePort) externallyAccessible() bool {
	return s.nodePort != 0 || len(s.lbIPs) > 0 || len(s.externalIPs) > 0
}

// usesClusterEndpoints: some traffic goes to endpoints by Cluster policy (external Local
// traffic from pods and the node short-circuits to them too).
func (s *servicePort) usesClusterEndpoints() bool {
	return !s.internalLocal || s.externallyAccessible()
}

// usesLocalEndpoints: some traffic goes to this node's endpoints only.
func (s *servicePort) usesLocalEndpoints() bool {
	return s.internalLocal || (s.externalLocal && s.externallyAccessible())
}

// servicePorts lists the ports of the Services that the proxy serves in family, sorted.
// Headless and ExternalName Services, Services of another proxy and Services without a
// ClusterIP of the family are skipped.
func servicePorts(services []*v1.Service, family v1.IPFamily) []*servicePort {
	var out []*servicePort
	for _, svc := range services {
		if _, other := svc.Labels[labelServiceProxyName]; other || svc.Spec.Type == v1.ServiceTypeExternalName {
			continue
		}
		clusterIP := clusterIPOf(svc, family)
		if clusterIP == "" {
			continue
		}
		for i := range svc.Spec.Ports {
			out = append(out, newServicePort(svc, &svc.Spec.Ports[i], clusterIP, family))
		}
	}
	slices.SortFunc(out, func(a, b *servicePort) int {
		return cmp.Compare(a.name.String()+"/"+string(a.name.Protocol), b.name.String()+"/"+string(b.name.Protocol))
	})
	return out
}

func newServicePort(svc *v1.Service, p *v1.ServicePort, clusterIP string, family v1.IPFamily) *servicePort {
	sp := &servicePort{
		name:      portName{NamespacedName: types.NamespacedName{Namespace: svc.Namespace, Name: svc.Name}, Port: p.Name, Protocol: p.Protocol},
		clusterIP: clusterIP,
		port:      int(p.Port),
		nodePort:  int(p.NodePort),
	}
	if sp.name.Protocol == "" {
		sp.name.Protocol = v1.ProtocolTCP
	}
	if svc.Spec.SessionAffinity == v1.ServiceAffinityClientIP {
		sp.affinitySeconds = int(v1.DefaultClientIPServiceAffinitySeconds)
		if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil {
			sp.affinitySeconds = int(*c.ClientIP.TimeoutSeconds)
		}
	}
	sp.internalLocal = svc.Spec.InternalTrafficPolicy != nil && *svc.Spec.InternalTrafficPolicy == v1.ServiceInternalTrafficPolicyLocal
	externallyAccessible := svc.Spec.Type == v1.ServiceTypeLoadBalancer || svc.Spec.Type == v1.ServiceTypeNodePort ||
		(svc.Spec.Type == v1.ServiceTypeClusterIP && len(svc.Spec.ExternalIPs) > 0)
	sp.externalLocal = externallyAccessible && svc.Spec.ExternalTrafficPolicy == v1.ServiceExternalTrafficPolicyLocal
	for _, ip := range svc.Spec.ExternalIPs {
		if s, ok := ipOfFamily(ip, family); ok {
			sp.externalIPs = append(sp.externalIPs, s)
		}
	}
	for _, ing := range svc.Status.LoadBalancer.Ingress {
		if ing.IP == "" || (ing.IPMode != nil && *ing.IPMode != v1.LoadBalancerIPModeVIP) {
			continue
		}
		if s, ok := ipOfFamily(ing.IP, family); ok {
			sp.lbIPs = append(sp.lbIPs, s)
		}
	}
	sp.sourceRanges = sourceRanges(svc.Spec.LoadBalancerSourceRanges, family)
	return sp
}

// clusterIPOf is the Service's ClusterIP of family, or "" (also for headless Services).
func clusterIPOf(svc *v1.Service, family v1.IPFamily) string {
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	for _, ip := range ips {
		if s, ok := ipOfFamily(ip, family); ok {
			return s
		}
	}
	return ""
}

// ipOfFamily parses ip (allowing leading zeros, as the API does) and reports whether it
// is of family.
func ipOfFamily(ip string, family v1.IPFamily) (string, bool) {
	parsed := netutils.ParseIPSloppy(strings.TrimSpace(ip))
	if parsed == nil || netutils.IsIPv6(parsed) != (family == v1.IPv6Protocol) {
		return "", false
	}
	return parsed.String(), true
}

// sourceRanges parses loadBalancerSourceRanges of family; a zero-length prefix admits
// everything, which is the same as no ranges.
func sourceRanges(ranges []string, family v1.IPFamily) []*net.IPNet {
	var out []*net.IPNet
	for _, r := range ranges {
		_, cidr, err := netutils.ParseCIDRSloppy(strings.TrimSpace(r))
		if err != nil || netutils.IsIPv6CIDR(cidr) != (family == v1.IPv6Protocol) {
			continue
		}
		if ones, _ := cidr.Mask.Size(); ones == 0 {
			return nil
		}
		out = append(out, cidr)
	}
	return out
}
