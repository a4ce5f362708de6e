package proxy

import v1 "k8s.io/api/core/v1"

// categorized are the endpoints of one Service port that this node uses.
type categorized struct {
	// cluster are the endpoints for Cluster traffic policy (nil if the port never uses it),
	// local those for Local policy (nil if never used).
	cluster, local []*endpoint
	// reachable is the union of both.
	reachable []*endpoint
	// any: the Service has usable endpoints somewhere in the cluster.
	any bool
}

// categorize picks the usable endpoints, as kube-proxy's CategorizeEndpoints: ready ones,
// filtered by topology hints for Cluster policy when every ready endpoint has hints and one
// is for this node or zone; when there are none, serving terminating ones, decided
// separately for Cluster and Local policy.
func categorize(eps []*endpoint, sp *servicePort, nodeName, zone string) categorized {
	var c categorized
	if len(eps) == 0 {
		return c
	}
	if sp.usesClusterEndpoints() {
		mode := topologyMode(eps, nodeName, zone)
		c.cluster = filter(eps, func(e *endpoint) bool { return e.ready && inTopology(e, mode, nodeName, zone) })
		if len(c.cluster) == 0 {
			c.cluster = filter(eps, servingTerminating)
		}
		c.any = len(c.cluster) > 0
		c.reachable = c.cluster
	}
	if !sp.usesLocalEndpoints() {
		return c
	}
	localReady := false
	for _, e := range eps {
		if e.ready || servingTerminating(e) {
			c.any = true
		}
		localReady = localReady || (e.local && e.ready)
	}
	if localReady {
		c.local = filter(eps, func(e *endpoint) bool { return e.local && e.ready })
	} else {
		c.local = filter(eps, func(e *endpoint) bool { return e.local && servingTerminating(e) })
	}
	c.reachable = union(c.cluster, c.local)
	return c
}

func servingTerminating(e *endpoint) bool { return e.serving && e.terminating }

// topologyMode is PreferSameNode when every ready endpoint has node hints and one is for
// this node, else PreferSameZone likewise with zone hints, else "" (no topology).
func topologyMode(eps []*endpoint, nodeName, zone string) string {
	anyReady, allNode, forNode, allZone, forZone := false, true, false, true, false
	for _, e := range eps {
		if !e.ready {
			continue
		}
		anyReady = true
		if e.nodeHints.Len() == 0 {
			allNode = false
		} else if e.nodeHints.Has(nodeName) {
			forNode = true
		}
		if e.zoneHints.Len() == 0 {
			allZone = false
		} else if e.zoneHints.Has(zone) {
			forZone = true
		}
	}
	switch {
	case !anyReady:
		return ""
	case allNode && forNode:
		return v1.ServiceTrafficDistributionPreferSameNode
	case allZone && forZone:
		return v1.ServiceTrafficDistributionPreferSameZone
	}
	return ""
}

func inTopology(e *endpoint, mode, nodeName, zone string) bool {
	switch mode {
	case v1.ServiceTrafficDistributionPreferSameNode:
		return e.nodeHints.Has(nodeName)
	case v1.ServiceTrafficDistributionPreferSameZone:
		return e.zoneHints.Has(zone)
	}
	return true
}

func filter(eps []*endpoint, keep func(*endpoint) bool) []*endpoint {
	out := make([]*endpoint, 0, len(eps))
	for _, e := range eps {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}

// union merges two address-sorted lists without duplicates, keeping the order.
func union(a, b []*endpoint) []*endpoint {
	seen := make(map[string]bool, len(a)+len(b))
	out := make([]*endpoint, 0, len(a)+len(b))
	for _, list := range [][]*endpoint{a, b} {
		for _, e := range list {
			if !seen[e.String()] {
				seen[e.String()] = true
				out = append(out, e)
			}
		}
	}
	return out
}
