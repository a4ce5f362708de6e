package endpoints

import (
	"bytes"
	"hash/fnv"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/dump"
)

// repackSubsets regroups subsets so that each subset holds the addresses sharing exactly the
// same ports, each address once per port (not ready wins over ready), sorted: the canonical
// form upstream writes.
func repackSubsets(subsets []corev1.EndpointSubset) []corev1.EndpointSubset {
	type addrKey struct {
		ip  string
		uid types.UID
	}
	all := map[addrKey]*corev1.EndpointAddress{}
	// byPort maps each port (Port -1 for "no ports") to its addresses and their readiness.
	byPort := map[corev1.EndpointPort]map[*corev1.EndpointAddress]bool{}
	var portOrder []corev1.EndpointPort
	mapAddr := func(addr *corev1.EndpointAddress, port corev1.EndpointPort, ready bool) {
		key := addrKey{ip: addr.IP}
		if addr.TargetRef != nil {
			key.uid = addr.TargetRef.UID
		}
		existing := all[key]
		if existing == nil {
			c := *addr
			existing = &c
			all[key] = existing
		}
		set, ok := byPort[port]
		if !ok {
			set = map[*corev1.EndpointAddress]bool{}
			byPort[port] = set
			portOrder = append(portOrder, port)
		}
		if wasReady, found := set[existing]; !found || wasReady {
			set[existing] = ready
		}
	}
	for i := range subsets {
		ports := subsets[i].Ports
		if len(ports) == 0 {
			ports = []corev1.EndpointPort{{Port: -1}}
		}
		for _, port := range ports {
			for k := range subsets[i].Addresses {
				mapAddr(&subsets[i].Addresses[k], port, true)
			}
			for k := range subsets[i].NotReadyAddresses {
				mapAddr(&subsets[i].NotReadyAddresses[k], port, false)
			}
		}
	}

	// Ports with the same address set share a subset.
	type group struct {
		addrs map[*corev1.EndpointAddress]bool
		ports []corev1.EndpointPort
	}
	groups := map[string]*group{}
	var groupOrder []string
	for _, port := range portOrder {
		addrs := byPort[port]
		key := addressSetKey(addrs)
		g, ok := groups[key]
		if !ok {
			g = &group{addrs: addrs}
			groups[key] = g
			groupOrder = append(groupOrder, key)
		}
		if port.Port > 0 {
			g.ports = append(g.ports, port)
		}
	}
	final := []corev1.EndpointSubset{}
	for _, key := range groupOrder {
		g := groups[key]
		var ready, notReady []corev1.EndpointAddress
		for addr, isReady := range g.addrs {
			if isReady {
				ready = append(ready, *addr)
			} else {
				notReady = append(notReady, *addr)
			}
		}
		final = append(final, corev1.EndpointSubset{Addresses: ready, NotReadyAddresses: notReady, Ports: g.ports})
	}
	return sortSubsets(final)
}

// addressSetKey identifies a set of addresses with their readiness.
func addressSetKey(addrs map[*corev1.EndpointAddress]bool) string {
	type entry struct {
		addr  corev1.EndpointAddress
		ready bool
	}
	list := make([]entry, 0, len(addrs))
	for a, ready := range addrs {
		list = append(list, entry{*a, ready})
	}
	sort.Slice(list, func(i, j int) bool { return lessAddress(&list[i].addr, &list[j].addr) })
	return dump.ForHash(list)
}

// lessAddress orders addresses by IP, then by their pod's UID.
func lessAddress(a, b *corev1.EndpointAddress) bool {
	if c := bytes.Compare([]byte(a.IP), []byte(b.IP)); c != 0 {
		return c < 0
	}
	if b.TargetRef == nil {
		return false
	}
	if a.TargetRef == nil {
		return true
	}
	return a.TargetRef.UID < b.TargetRef.UID
}

// sortSubsets orders addresses and ports within subsets, and the subsets, deterministically.
func sortSubsets(subsets []corev1.EndpointSubset) []corev1.EndpointSubset {
	for i := range subsets {
		s := &subsets[i]
		sort.Slice(s.Addresses, func(a, b int) bool { return lessAddress(&s.Addresses[a], &s.Addresses[b]) })
		sort.Slice(s.NotReadyAddresses, func(a, b int) bool { return lessAddress(&s.NotReadyAddresses[a], &s.NotReadyAddresses[b]) })
		sort.Slice(s.Ports, func(a, b int) bool { return hashOf(s.Ports[a]) < hashOf(s.Ports[b]) })
	}
	sort.SliceStable(subsets, func(a, b int) bool { return hashOf(subsets[a]) < hashOf(subsets[b]) })
	return subsets
}

func hashOf(obj any) string {
	h := fnv.New128a()
	_, _ = h.Write([]byte(dump.ForHash(obj)))
	return string(h.Sum(nil))
}
