package proxy

import (
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/knftables"
)

// portChains are the chain names of one Service port.
type portChains struct{ cluster, local, external, firewall string }

func chainsOf(sp *servicePort) portChains {
	base := portChainBase(sp.name)
	return portChains{prefixClusterPolicy + base, prefixLocalPolicy + base, prefixExternal + base, prefixFirewall + base}
}

// writeServicePort writes one Service port: its entries in the dispatch sets and maps and
// its chains, following kube-proxy's nftables proxier.
func (w *writer) writeServicePort(sp *servicePort, c categorized) {
	p, ch := w.p, chainsOf(sp)
	proto, port := sp.protocol(), strconv.Itoa(sp.port)
	svcComment := comment(sp.name.String())
	affinity := sp.affinitySeconds > 0

	// Chains first: the map elements below jump to them.
	for _, ep := range c.reachable {
		if affinity {
			w.chain(prefixEndpoint + endpointChainBase(sp.name, ep))
			w.affinitySets.Insert(prefixAffinity + endpointChainBase(sp.name, ep))
		}
		if ep.local {
			w.elem(&knftables.Element{Set: setHairpinConnections, Key: []string{ep.ip, ep.ip, proto, strconv.Itoa(ep.port)}})
		}
	}
	usesClusterChain := len(c.cluster) > 0 && sp.usesClusterEndpoints()
	usesLocalChain := len(c.local) > 0 && sp.usesLocalEndpoints()
	if usesClusterChain {
		w.chain(ch.cluster)
	}
	if usesLocalChain {
		w.chain(ch.local)
	}
	// Internal (ClusterIP) traffic goes to the policy chain of internalTrafficPolicy;
	// external traffic (NodePort, externalIPs, LoadBalancer) through the external chain.
	internalChain, hasInternal := ch.cluster, c.any
	if sp.internalLocal {
		internalChain, hasInternal = ch.local, len(c.local) > 0
	}
	externalPolicyChain, hasExternal := ch.cluster, c.any
	if sp.externalLocal {
		externalPolicyChain, hasExternal = ch.local, len(c.local) > 0
	}
	usesExternalChain := c.any && sp.externallyAccessible()
	if usesExternalChain {
		w.chain(ch.external)
	}
	// No endpoints anywhere: reject. No local endpoints for a Local policy: drop.
	internalVerdict, externalVerdict := "drop", "drop"
	if !c.any {
		internalVerdict, externalVerdict = "goto "+chainReject, "goto "+chainReject
	}

	w.elem(&knftables.Element{Set: setClusterIPs, Key: []string{sp.clusterIP}})
	if hasInternal {
		w.elem(&knftables.Element{Map: mapServiceIPs, Key: []string{sp.clusterIP, proto, port}, Value: []string{"goto " + internalChain}})
	} else {
		w.elem(&knftables.Element{Map: mapNoEndpointServices, Key: []string{sp.clusterIP, proto, port}, Value: []string{internalVerdict}, Comment: svcComment})
	}
	for _, ip := range sp.externalIPs {
		w.externalDest(ip, proto, port, ch.external, c.any, hasExternal, externalVerdict, svcComment)
	}
	usesFirewall := len(sp.lbIPs) > 0 && len(sp.sourceRanges) > 0
	if usesFirewall {
		w.chain(ch.firewall)
	}
	for _, ip := range sp.lbIPs {
		w.externalDest(ip, proto, port, ch.external, c.any, hasExternal, externalVerdict, svcComment)
		if usesFirewall {
			w.elem(&knftables.Element{Map: mapFirewallIPs, Key: []string{ip, proto, port}, Value: []string{"goto " + ch.firewall}})
		}
	}
	if sp.nodePort != 0 {
		nodePort := strconv.Itoa(sp.nodePort)
		if c.any {
			// NodePorts are not subject to loadBalancerSourceRanges (as upstream).
			w.elem(&knftables.Element{Map: mapServiceNodePorts, Key: []string{proto, nodePort}, Value: []string{"goto " + ch.external}})
		}
		if !hasExternal {
			w.elem(&knftables.Element{Map: mapNoEndpointNodePorts, Key: []string{proto, nodePort}, Value: []string{externalVerdict}, Comment: svcComment})
		}
	}

	if usesExternalChain {
		w.writeExternalChain(sp, ch, externalPolicyChain, hasExternal)
	}
	if usesFirewall {
		w.writeFirewallChain(sp, ch.firewall)
	}
	if !affinity {
		if usesClusterChain {
			w.writeDNAT(sp, ch.cluster, c.cluster)
		}
		if usesLocalChain {
			w.writeDNAT(sp, ch.local, c.local)
		}
		return
	}
	for _, ep := range c.reachable {
		w.tx.Add(&knftables.Set{
			Name: prefixAffinity + endpointChainBase(sp.name, ep),
			Type: p.addrType,
			// "dynamic" too: some kernels add it themselves, and a later add without it fails.
			Flags:   []knftables.SetFlag{knftables.DynamicFlag, knftables.TimeoutFlag},
			Timeout: knftables.PtrTo(time.Duration(sp.affinitySeconds) * time.Second),
		})
	}
	if usesClusterChain {
		w.writeAffinityJumps(sp, ch.cluster, c.cluster)
	}
	if usesLocalChain {
		w.writeAffinityJumps(sp, ch.local, c.local)
	}
	for _, ep := range c.reachable {
		base := endpointChainBase(sp.name, ep)
		w.rule(prefixEndpoint+base, "update", "@", prefixAffinity+base, "{", p.ipX, "saddr }")
		w.rule(prefixEndpoint+base, "meta l4proto", proto, "dnat to", ep.String())
	}
}

// externalDest sends traffic for an external IP or load balancer IP to the external chain,
// or drops or rejects it when there is nothing to send it to.
func (w *writer) externalDest(ip, proto, port, externalChain string, hasAny, hasExternal bool, verdict string, svcComment *string) {
	if hasAny {
		w.elem(&knftables.Element{Map: mapServiceIPs, Key: []string{ip, proto, port}, Value: []string{"goto " + externalChain}})
	}
	if !hasExternal {
		w.elem(&knftables.Element{Map: mapNoEndpointServices, Key: []string{ip, proto, port}, Value: []string{verdict}, Comment: svcComment})
	}
}

// writeExternalChain: with Cluster policy external traffic is masqueraded (it may cross
// nodes); with Local policy the client address is kept, except that pods and the node
// itself reach every endpoint, as if through an outside load balancer.
func (w *writer) writeExternalChain(sp *servicePort, ch portChains, policyChain string, hasExternal bool) {
	p := w.p
	if !sp.externalLocal {
		w.ruleWithComment(ch.external, "masquerade", p.masqueradeRule())
	} else {
		if local := p.fromLocal(false); local != "" {
			w.ruleWithComment(ch.external, "short-circuit pod traffic", local, "goto", ch.cluster)
		}
		w.ruleWithComment(ch.external, "masquerade local traffic", "fib saddr type local", p.masqueradeRule())
		w.ruleWithComment(ch.external, "short-circuit local traffic", "fib saddr type local goto", ch.cluster)
	}
	if hasExternal {
		w.rule(ch.external, "goto", policyChain)
	}
}

// writeFirewallChain drops traffic to load balancer IPs from outside loadBalancerSourceRanges.
// When a range holds the node, the LB IPs are admitted too: a VIP assigned on the node
// loops back with itself as source.
func (w *writer) writeFirewallChain(sp *servicePort, chain string) {
	var sources []string
	fromNode := false
	for _, cidr := range sp.sourceRanges {
		sources = append(sources, cidr.String())
		for _, ip := range w.p.nodeIPs {
			fromNode = fromNode || cidr.Contains(ip)
		}
	}
	if fromNode {
		sources = append(sources, sp.lbIPs...)
	}
	w.rule(chain, w.p.ipX, "saddr != {", strings.Join(sources, ", "), "} drop")
}

// writeDNAT picks an endpoint at random: "numgen random mod N map", or a plain dnat for one.
func (w *writer) writeDNAT(sp *servicePort, chain string, eps []*endpoint) {
	proto := sp.protocol()
	if len(eps) == 1 {
		w.rule(chain, "meta l4proto", proto, "dnat to", eps[0].String())
		return
	}
	var elems []string
	for i, ep := range eps {
		elems = append(elems, strconv.Itoa(i)+" : "+ep.ip+" . "+strconv.Itoa(ep.port))
	}
	w.rule(chain, "meta l4proto", proto, "dnat", w.p.ipX, "addr . port to numgen random mod", len(eps), "map {", strings.Join(elems, " , "), "}")
}

// writeAffinityJumps sends a client that has an endpoint in its affinity set back to it,
// and any other to a random endpoint's chain (which records the choice).
func (w *writer) writeAffinityJumps(sp *servicePort, chain string, eps []*endpoint) {
	var elems []string
	for i, ep := range eps {
		base := endpointChainBase(sp.name, ep)
		w.rule(chain, w.p.ipX, "saddr", "@", prefixAffinity+base, "goto", prefixEndpoint+base)
		elems = append(elems, strconv.Itoa(i)+" : goto "+prefixEndpoint+base)
	}
	w.rule(chain, "numgen random mod", len(eps), "vmap {", strings.Join(elems, " , "), "}")
}
