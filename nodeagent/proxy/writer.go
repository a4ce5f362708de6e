package proxy

import (
	"strings"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	netutils "k8s.io/utils/net"
	"sigs.k8s.io/knftables"
)

// snapshot is what one sync reads from the API.
type snapshot struct {
	services       []*v1.Service
	endpointSlices []*discovery.EndpointSlice
	// serviceCIDRs are the ServiceCIDRs' ranges, of any family.
	serviceCIDRs []string
	// zone is this node's topology.kubernetes.io/zone label.
	zone string
}

// writer adds one sync's operations to a transaction and notes what it wrote.
type writer struct {
	tx *knftables.Transaction
	p  *params
	// chains and affinitySets are the chains and per-endpoint affinity sets written;
	// whatever else the table holds of those kinds is stale.
	chains       sets.Set[string]
	affinitySets sets.Set[string]
	// elems are the "container key" of the set and map elements written: the first
	// Service to claim a key (say two Services with one external IP and port) wins.
	elems sets.Set[string]
}

// writeRuleset writes the whole table for snap into tx: the pure core of a sync. With
// recreate the table is deleted first (first sync, or after a failure); otherwise chains,
// sets and maps are flushed and refilled, and affinity sets keep their entries. Stale
// chains and sets are left to the caller (see writer.chains, writer.affinitySets).
func writeRuleset(tx *knftables.Transaction, p *params, snap *snapshot, recreate bool) *writer {
	w := &writer{tx: tx, p: p, chains: sets.New[string](), affinitySets: sets.New[string](), elems: sets.New[string]()}
	if recreate {
		tx.Add(&knftables.Table{})
		tx.Delete(&knftables.Table{})
	}
	var cidrs []string
	for _, c := range snap.serviceCIDRs {
		if _, cidr, err := netutils.ParseCIDRSloppy(c); err == nil && netutils.IsIPv6CIDR(cidr) == (p.family == v1.IPv6Protocol) {
			cidrs = append(cidrs, cidr.String())
		}
	}
	w.writeBase(cidrs)
	endpoints := endpointsByPort(snap.endpointSlices, p.family, p.nodeName)
	for _, sp := range servicePorts(snap.services, p.family) {
		w.writeServicePort(sp, categorize(endpoints[sp.name], sp, p.nodeName, snap.zone))
	}
	return w
}

// chain adds name and flushes it, once per sync.
func (w *writer) chain(name string) {
	if w.chains.Has(name) {
		return
	}
	w.chains.Insert(name)
	w.tx.Add(&knftables.Chain{Name: name})
	w.tx.Flush(&knftables.Chain{Name: name})
}

// set adds a fixed set and flushes it.
func (w *writer) set(name, typ, comment string) {
	s := &knftables.Set{Name: name, Type: typ, Comment: &comment}
	w.tx.Add(s)
	w.tx.Flush(s)
}

// vmap adds a fixed verdict map and flushes it.
func (w *writer) vmap(name, keyType, comment string) {
	m := &knftables.Map{Name: name, Type: keyType + " : verdict", Comment: &comment}
	w.tx.Add(m)
	w.tx.Flush(m)
}

func (w *writer) rule(chain string, parts ...any) {
	w.tx.Add(&knftables.Rule{Chain: chain, Rule: knftables.Concat(parts...)})
}

func (w *writer) ruleWithComment(chain, text string, parts ...any) {
	w.tx.Add(&knftables.Rule{Chain: chain, Rule: knftables.Concat(parts...), Comment: comment(text)})
}

// elem adds a set or map element unless its key was written already.
func (w *writer) elem(e *knftables.Element) {
	key := e.Set + e.Map + " " + strings.Join(e.Key, " . ")
	if w.elems.Has(key) {
		return
	}
	w.elems.Insert(key)
	w.tx.Add(e)
}
