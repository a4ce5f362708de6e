package proxy

import (
	"cmp"
	"net"
	"slices"
	"strconv"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	netutils "k8s.io/utils/net"
)

// endpoint is one address and port behind a Service port.
type endpoint struct {
	ip   string
	port int
	// local: the endpoint's nodeName is this node.
	local bool
	// ready: ready and not terminating (or the Service publishes not-ready addresses);
	// serving: ready whether terminating or not.
	ready, serving, terminating bool
	zoneHints, nodeHints        sets.Set[string]
}

// String is ip:port ([ip]:port for IPv6).
func (e *endpoint) String() string { return net.JoinHostPort(e.ip, strconv.Itoa(e.port)) }

// endpointsByPort collects the endpoints of family from EndpointSlices, per Service port,
// sorted by address. An address listed twice is kept once, preferring a copy that is not
// terminating, as kube-proxy's EndpointSliceCache does.
func endpointsByPort(endpointSlices []*discovery.EndpointSlice, family v1.IPFamily, nodeName string) map[portName][]*endpoint {
	addressType := discovery.AddressTypeIPv4
	if family == v1.IPv6Protocol {
		addressType = discovery.AddressTypeIPv6
	}
	byPort := map[portName]map[string]*endpoint{}
	for _, slice := range endpointSlices {
		svcName := slice.Labels[discovery.LabelServiceName]
		if slice.AddressType != addressType || svcName == "" {
			continue
		}
		if _, headless := slice.Labels[v1.IsHeadlessService]; headless {
			continue
		}
		for _, p := range slice.Ports {
			if p.Name == nil || p.Port == nil || *p.Port == 0 {
				continue
			}
			name := portName{NamespacedName: types.NamespacedName{Namespace: slice.Namespace, Name: svcName}, Port: *p.Name, Protocol: v1.ProtocolTCP}
			if p.Protocol != nil {
				name.Protocol = *p.Protocol
			}
			if byPort[name] == nil {
				byPort[name] = map[string]*endpoint{}
			}
			for i := range slice.Endpoints {
				ep := newEndpoint(&slice.Endpoints[i], int(*p.Port), nodeName)
				if ep == nil {
					continue
				}
				if _, seen := byPort[name][ep.String()]; !seen || !ep.terminating {
					byPort[name][ep.String()] = ep
				}
			}
		}
	}
	out := make(map[portName][]*endpoint, len(byPort))
	for name, set := range byPort {
		if len(set) == 0 {
			continue
		}
		eps := make([]*endpoint, 0, len(set))
		for _, ep := range set {
			eps = append(eps, ep)
		}
		slices.SortFunc(eps, func(a, b *endpoint) int { return cmp.Compare(a.String(), b.String()) })
		out[name] = eps
	}
	return out
}

func newEndpoint(e *discovery.Endpoint, port int, nodeName string) *endpoint {
	if len(e.Addresses) == 0 {
		return nil
	}
	ip := netutils.ParseIPSloppy(e.Addresses[0])
	if ip == nil {
		return nil
	}
	c := e.Conditions
	ep := &endpoint{
		ip:          ip.String(),
		port:        port,
		local:       nodeName != "" && e.NodeName != nil && *e.NodeName == nodeName,
		ready:       c.Ready == nil || *c.Ready,
		serving:     c.Serving == nil || *c.Serving,
		terminating: c.Terminating != nil && *c.Terminating,
	}
	if h := e.Hints; h != nil {
		for _, z := range h.ForZones {
			if ep.zoneHints == nil {
				ep.zoneHints = sets.New[string]()
			}
			ep.zoneHints.Insert(z.Name)
		}
		for _, n := range h.ForNodes {
			if ep.nodeHints == nil {
				ep.nodeHints = sets.New[string]()
			}
			ep.nodeHints.Insert(n.Name)
		}
	}
	return ep
}
