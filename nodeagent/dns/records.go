package dns

import (
	"net/netip"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// noPort marks an item of an object without ports: it gives address records but no SRV.
const noPort = -1

// item is one thing a name resolves to, as CoreDNS's msg.Service: an address or, for an
// ExternalName service, a host name; the port it serves; and the name SRV records point at.
type item struct {
	host   string
	port   int32
	target string // FQDN, e.g. web.ns.svc.cluster.local. or web-0.web.ns.svc.cluster.local.
}

// lookup resolves a parsed cluster name to items. err is errNameError when the name does not
// exist (NXDOMAIN); no items and no error is NODATA.
func (r *resolver) lookup(q query, zone string) ([]item, error) {
	if q.kind == "" {
		return nil, nil
	}
	if !r.store.namespaceExists(q.namespace) {
		return nil, errNameError
	}
	if q.kind == kindPod {
		return r.lookupPod(q, zone)
	}
	return r.lookupService(q, zone)
}

func (r *resolver) lookupPod(q query, zone string) ([]item, error) {
	if r.cfg.PodMode == PodModeDisabled {
		return nil, errNameError
	}
	if q.service == "" {
		return nil, nil
	}
	addr, ok := podAddress(q.service)
	if !ok {
		return nil, errNameError
	}
	return []item{{host: addr.String(), port: noPort, target: strings.Join([]string{q.service, q.namespace, kindPod, zone}, ".")}}, nil
}

func (r *resolver) lookupService(q query, zone string) ([]item, error) {
	if q.service == "" {
		return nil, nil
	}
	svc := r.store.service(q.namespace, q.service)
	if svc == nil {
		return nil, errNameError
	}
	svcName := strings.Join([]string{svc.Name, svc.Namespace, kindService, zone}, ".")
	switch {
	case svc.Spec.Type == corev1.ServiceTypeExternalName:
		// An ExternalName has no endpoints, and only a name (not an address) makes a CNAME.
		if q.endpoint != "" || normalizeIP(svc.Spec.ExternalName) != "" {
			return nil, errNameError
		}
		return []item{{host: svc.Spec.ExternalName, port: noPort, target: svcName}}, nil
	case q.endpoint != "" || isHeadless(svc):
		return r.endpointItems(q, svc, svcName)
	}
	var items []item
	found := false
	for _, p := range servicePorts(svc) {
		if !portMatches(q, p.name, p.protocol) {
			continue
		}
		found = true
		for _, ip := range serviceIPs(svc) {
			items = append(items, item{host: ip, port: p.port, target: svcName})
		}
	}
	if !found {
		return nil, errNameError
	}
	return items, nil
}

// endpointItems are the ready endpoint addresses of the service matching the query's endpoint
// label and port, one per address and port.
func (r *resolver) endpointItems(q query, svc *corev1.Service, svcName string) ([]item, error) {
	var items []item
	found := false
	for _, es := range r.store.endpointSlices(svc.Namespace, svc.Name) {
		ports := []namedPort{{port: noPort}}
		if len(es.Ports) > 0 {
			ports = ports[:0]
			for _, p := range es.Ports {
				np := namedPort{port: noPort}
				if p.Port != nil {
					np.port = *p.Port
				}
				if p.Name != nil {
					np.name = *p.Name
				}
				if p.Protocol != nil {
					np.protocol = string(*p.Protocol)
				}
				ports = append(ports, np)
			}
		}
		for _, ep := range readyEndpoints(es) {
			for _, a := range ep.Addresses {
				ip := normalizeIP(a)
				if ip == "" {
					continue
				}
				host := endpointHostname(ep.Hostname, ip)
				if q.endpoint != "" && !strings.EqualFold(q.endpoint, host) {
					continue
				}
				for _, p := range ports {
					if !portMatches(q, p.name, p.protocol) {
						continue
					}
					found = true
					items = append(items, item{host: ip, port: p.port, target: host + "." + svcName})
				}
			}
		}
	}
	if !found {
		return nil, errNameError
	}
	return items, nil
}

type namedPort struct {
	name, protocol string
	port           int32
}

// servicePorts are the service's ports, or one portless entry when it has none.
func servicePorts(svc *corev1.Service) []namedPort {
	if len(svc.Spec.Ports) == 0 {
		return []namedPort{{port: noPort}}
	}
	out := make([]namedPort, 0, len(svc.Spec.Ports))
	for _, p := range svc.Spec.Ports {
		out = append(out, namedPort{name: p.Name, protocol: string(p.Protocol), port: p.Port})
	}
	return out
}

// portMatches reports whether a port fits the query's _port._proto labels (absent labels
// match any), case-insensitively.
func portMatches(q query, name, protocol string) bool {
	return (q.port == "" || strings.EqualFold(q.port, name)) &&
		(q.protocol == "" || strings.EqualFold(q.protocol, protocol))
}

func isHeadless(svc *corev1.Service) bool {
	return svc.Spec.ClusterIP == corev1.ClusterIPNone
}

// reverse are the names an address has in the cluster: the first service with it as a
// ClusterIP, or else every ready endpoint with it (<hostname>.<service>.<ns>.svc.<zone>).
func (r *resolver) reverse(addr netip.Addr) []string {
	ip := addr.Unmap().String()
	zone := r.zone
	for _, svc := range r.store.servicesWithIP(ip) {
		return []string{strings.Join([]string{svc.Name, svc.Namespace, kindService, zone}, ".")}
	}
	var names []string
	seen := map[string]bool{}
	for _, es := range r.store.slicesWithIP(ip) {
		svcName := es.Labels["kubernetes.io/service-name"]
		if svcName == "" {
			continue
		}
		for _, ep := range readyEndpoints(es) {
			for _, a := range ep.Addresses {
				if normalizeIP(a) != ip {
					continue
				}
				name := strings.Join([]string{endpointHostname(ep.Hostname, ip), svcName, es.Namespace, kindService, zone}, ".")
				if !seen[name] {
					seen[name] = true
					names = append(names, name)
				}
			}
		}
	}
	return names
}
