package agent

import (
	"errors"
	"net"
	"net/netip"
)

// nodeIP is the node's InternalIP: given, else the first global unicast IPv4 address of an
// interface that is up, not loopback and not in a pod range (the CNI bridge carries one).
func nodeIP(given string, exclude []netip.Prefix) (netip.Addr, error) {
	if given != "" {
		a, err := netip.ParseAddr(given)
		if err != nil {
			return netip.Addr{}, errors.New("--node-ip " + given + " is not an IP address")
		}
		return a.Unmap(), nil
	}
	ifaces, err := net.Interfaces()
	if err != nil {
		return netip.Addr{}, err
	}
	var candidates []netip.Addr
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				if addr, ok := netip.AddrFromSlice(ipn.IP); ok {
					candidates = append(candidates, addr.Unmap())
				}
			}
		}
	}
	if a, ok := pickNodeIP(candidates, exclude); ok {
		return a, nil
	}
	return netip.Addr{}, errors.New("no node IP: the host has no non-loopback IPv4 address; set --node-ip")
}

// pickNodeIP is the first global unicast IPv4 address of candidates outside exclude.
func pickNodeIP(candidates []netip.Addr, exclude []netip.Prefix) (netip.Addr, bool) {
next:
	for _, a := range candidates {
		if !a.Is4() || !a.IsGlobalUnicast() {
			continue
		}
		for _, p := range exclude {
			if p.Contains(a) {
				continue next
			}
		}
		return a, true
	}
	return netip.Addr{}, false
}
