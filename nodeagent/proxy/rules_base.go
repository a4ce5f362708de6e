package proxy

import (
	"strings"

	"sigs.k8s.io/knftables"
)

// baseChains are hooked into netfilter; kube-proxy's, with its types and priorities.
var baseChains = []struct {
	name     string
	typ      knftables.BaseChainType
	hook     knftables.BaseChainHook
	priority knftables.BaseChainPriority
}{
	// LoadBalancerSourceRanges are checked on the destination before DNAT.
	{chainFilterPreroutingPreDNAT, knftables.FilterType, knftables.PreroutingHook, knftables.DNATPriority + "-10"},
	{chainFilterOutputPreDNAT, knftables.FilterType, knftables.OutputHook, knftables.DNATPriority + "-10"},
	// Rejects happen in input, forward and output: older kernels refuse reject in prerouting.
	{chainFilterInput, knftables.FilterType, knftables.InputHook, knftables.FilterPriority},
	{chainFilterForward, knftables.FilterType, knftables.ForwardHook, knftables.FilterPriority},
	{chainFilterOutput, knftables.FilterType, knftables.OutputHook, knftables.FilterPriority},
	// DNAT of traffic arriving (pods, other hosts) and of the host's own traffic.
	{chainNATPrerouting, knftables.NATType, knftables.PreroutingHook, knftables.DNATPriority},
	{chainNATOutput, knftables.NATType, knftables.OutputHook, knftables.DNATPriority},
	{chainNATPostrouting, knftables.NATType, knftables.PostroutingHook, knftables.SNATPriority},
}

// jumps connect the base chains to the top-level regular chains.
var jumps = []struct{ from, to, match string }{
	{chainFilterInput, chainNodePortEndpointsCheck, "ct state new"},
	{chainFilterInput, chainServiceEndpointsCheck, "ct state new"},
	{chainFilterForward, chainServiceEndpointsCheck, "ct state new"},
	{chainFilterOutput, chainServiceEndpointsCheck, "ct state new"},
	{chainFilterPreroutingPreDNAT, chainFirewallCheck, "ct state new"},
	{chainFilterOutputPreDNAT, chainFirewallCheck, "ct state new"},
	{chainNATOutput, chainServices, ""},
	{chainNATPrerouting, chainServices, ""},
	{chainNATPostrouting, chainMasquerading, ""},
	{chainFilterForward, chainClusterIPsCheck, "ct state new"},
	{chainFilterOutput, chainClusterIPsCheck, "ct state new"},
}

// writeBase writes the table and its fixed chains, sets, maps and rules, with every set and
// map flushed: the sync that follows fills them again. serviceCIDRs (of this family) are
// the ranges in which unallocated ClusterIPs are dropped.
func (w *writer) writeBase(serviceCIDRs []string) {
	p := w.p
	w.tx.Add(&knftables.Table{Comment: knftables.PtrTo("rules for skiff's service proxy")})
	for _, bc := range baseChains {
		c := &knftables.Chain{Name: bc.name, Type: knftables.PtrTo(bc.typ), Hook: knftables.PtrTo(bc.hook), Priority: knftables.PtrTo(bc.priority)}
		w.tx.Add(c)
		w.tx.Flush(c)
	}
	for _, name := range []string{chainServices, chainServiceEndpointsCheck, chainNodePortEndpointsCheck,
		chainFirewallCheck, chainMasquerading, chainClusterIPsCheck} {
		w.chain(name)
	}
	for _, j := range jumps {
		w.rule(j.from, j.match, "jump", j.to)
	}

	w.set(setHairpinConnections, p.addrType+" . "+p.addrType+" . inet_proto . inet_service", "service hairpin connections")
	w.rule(chainMasquerading, "mark and", p.mark, "!= 0 mark set mark xor", p.mark, "masquerade fully-random")
	// Traffic from an endpoint to itself through a Service must come back through us.
	w.rule(chainMasquerading, "ct status dnat", p.ipX, "saddr .", p.ipX, "daddr . meta l4proto . th dport", "@", setHairpinConnections, "masquerade fully-random")

	w.set(setClusterIPs, p.addrType, "Active ClusterIPs")
	w.ruleWithComment(chainClusterIPsCheck, "Reject traffic to invalid ports of ClusterIPs", p.ipX, "daddr", "@", setClusterIPs, "reject")
	if len(serviceCIDRs) > 0 {
		w.ruleWithComment(chainClusterIPsCheck, "Drop traffic to unallocated ClusterIPs",
			p.ipX, "daddr {", strings.Join(serviceCIDRs, ", "), "} drop")
	}

	matchAllNodePorts := p.nodePortIPs == nil
	nodePortIPs := &knftables.Set{Name: setNodePortIPs, Type: p.addrType, Comment: knftables.PtrTo("IPs that accept NodePort traffic")}
	w.tx.Add(nodePortIPs)
	if matchAllNodePorts {
		w.tx.Delete(&knftables.Set{Name: setNodePortIPs})
	} else {
		w.tx.Flush(nodePortIPs)
		for _, ip := range p.nodePortIPs {
			w.elem(&knftables.Element{Set: setNodePortIPs, Key: []string{ip}})
		}
	}

	w.vmap(mapNoEndpointServices, p.addrType+" . inet_proto . inet_service", "vmap to drop or reject packets to services with no endpoints")
	w.vmap(mapNoEndpointNodePorts, "inet_proto . inet_service", "vmap to drop or reject packets to service nodeports with no endpoints")
	reject := &knftables.Chain{Name: chainReject, Comment: knftables.PtrTo("helper for @no-endpoint-services / @no-endpoint-nodeports")}
	w.tx.Add(reject)
	w.tx.Flush(reject)
	w.rule(chainReject, "reject")
	w.rule(chainServiceEndpointsCheck, p.ipX, "daddr . meta l4proto . th dport vmap", "@", mapNoEndpointServices)
	nodePortDest := p.ipX + " daddr != " + p.loopback
	if !matchAllNodePorts {
		nodePortDest = p.ipX + " daddr @" + setNodePortIPs
	}
	w.rule(chainNodePortEndpointsCheck, nodePortDest, "meta l4proto . th dport vmap", "@", mapNoEndpointNodePorts)

	w.vmap(mapFirewallIPs, p.addrType+" . inet_proto . inet_service", "destinations that are subject to LoadBalancerSourceRanges")
	w.rule(chainFirewallCheck, p.ipX, "daddr . meta l4proto . th dport vmap", "@", mapFirewallIPs)

	w.vmap(mapServiceIPs, p.addrType+" . inet_proto . inet_service", "ClusterIP, ExternalIP and LoadBalancer IP traffic")
	w.vmap(mapServiceNodePorts, "inet_proto . inet_service", "NodePort traffic")
	if p.masqueradeAll {
		w.ruleWithComment(chainServices, "masquerade all clusterIP traffic", p.ipX, "daddr", "@", setClusterIPs, p.masqueradeRule())
	} else if notLocal := p.fromLocal(true); notLocal != "" {
		// Off-cluster clients routed to a ClusterIP through this node get answers back through it.
		w.ruleWithComment(chainServices, "masquerade clusterIP traffic from outside cluster",
			p.ipX, "daddr", "@", setClusterIPs, notLocal, p.masqueradeRule())
	}
	w.rule(chainServices, p.ipX, "daddr . meta l4proto . th dport vmap", "@", mapServiceIPs)
	if matchAllNodePorts {
		w.rule(chainServices, "fib daddr type local", nodePortDest, "meta l4proto . th dport vmap", "@", mapServiceNodePorts)
	} else {
		w.rule(chainServices, nodePortDest, "meta l4proto . th dport vmap", "@", mapServiceNodePorts)
	}
}
