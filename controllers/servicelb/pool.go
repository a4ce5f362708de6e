package servicelb

import (
	"fmt"
	"net/netip"
	"strings"
)

// DefaultPool is the default address pool: the top of the 172.18.0.0/16 network kind's Docker
// network uses, as kind's MetalLB guide suggests.
const DefaultPool = "172.18.255.200-172.18.255.250"

// span is an inclusive range of addresses of one family.
type span struct{ first, last netip.Addr }

// Pool is a set of addresses LoadBalancer Services get theirs from.
type Pool struct {
	spans []span
}

// ParsePool reads a comma-separated list of CIDRs (10.0.0.0/28) and ranges (10.0.0.1-10.0.0.9).
// A CIDR of IPv4 with more than two addresses leaves out its network and broadcast addresses.
func ParsePool(s string) (*Pool, error) {
	p := &Pool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		sp, err := parseSpan(part)
		if err != nil {
			return nil, fmt.Errorf("load balancer pool %q: %w", s, err)
		}
		p.spans = append(p.spans, sp)
	}
	if len(p.spans) == 0 {
		return nil, fmt.Errorf("load balancer pool %q has no addresses", s)
	}
	return p, nil
}

func parseSpan(s string) (span, error) {
	if first, last, ok := strings.Cut(s, "-"); ok {
		a, err := netip.ParseAddr(strings.TrimSpace(first))
		if err != nil {
			return span{}, err
		}
		b, err := netip.ParseAddr(strings.TrimSpace(last))
		if err != nil {
			return span{}, err
		}
		if a.Is4() != b.Is4() || b.Less(a) {
			return span{}, fmt.Errorf("range %s: the first address must not follow the last, and both must be of one family", s)
		}
		return span{a.Unmap(), b.Unmap()}, nil
	}
	prefix, err := netip.ParsePrefix(s)
	if err != nil {
		return span{}, err
	}
	prefix = prefix.Masked()
	first, last := prefix.Addr(), lastAddr(prefix)
	if prefix.Addr().Is4() && prefix.Bits() < 31 {
		first, last = first.Next(), last.Prev()
	}
	return span{first, last}, nil
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - uint(i%8))
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// Contains reports whether a is in the pool.
func (p *Pool) Contains(a netip.Addr) bool {
	a = a.Unmap()
	for _, s := range p.spans {
		if s.first.Is4() == a.Is4() && !a.Less(s.first) && !s.last.Less(a) {
			return true
		}
	}
	return false
}

// Allocate returns the lowest address of the pool not in used, of IPv6 when v6, else of IPv4.
func (p *Pool) Allocate(used map[netip.Addr]bool, v6 bool) (netip.Addr, bool) {
	for _, s := range p.spans {
		if s.first.Is6() != v6 {
			continue
		}
		for a := s.first; a.IsValid() && !s.last.Less(a); a = a.Next() {
			if !used[a] {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// String is the pool as ranges.
func (p *Pool) String() string {
	parts := make([]string, 0, len(p.spans))
	for _, s := range p.spans {
		parts = append(parts, s.first.String()+"-"+s.last.String())
	}
	return strings.Join(parts, ",")
}
