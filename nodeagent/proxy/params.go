package proxy

import (
	"fmt"
	"net"
	"strings"

	v1 "k8s.io/api/core/v1"
	netutils "k8s.io/utils/net"
)

// params are the settings rules are written with, resolved for one IP family.
type params struct {
	family   v1.IPFamily
	ipX      string // "ip" or "ip6", as in "ip daddr"
	addrType string // "ipv4_addr" or "ipv6_addr"
	nodeName string
	nodeIPs  []net.IP
	// nodePortIPs are the addresses that accept NodePorts; nil means every local one.
	nodePortIPs   []string
	localCIDRs    []string
	masqueradeAll bool
	mark          string // the masquerade mark, e.g. 0x004000
	loopback      string // loopback destinations, which never get NodePorts
}

func newParams(cfg Config) *params {
	p := &params{
		family:        cfg.IPFamily,
		ipX:           "ip",
		addrType:      "ipv4_addr",
		nodeName:      cfg.NodeName,
		masqueradeAll: cfg.MasqueradeAll,
		mark:          fmt.Sprintf("%#08x", 1<<uint(cfg.MasqueradeBit)),
		loopback:      "127.0.0.0/8",
	}
	v6 := cfg.IPFamily == v1.IPv6Protocol
	if v6 {
		p.ipX, p.addrType, p.loopback = "ip6", "ipv6_addr", "::1"
	}
	for _, ip := range cfg.NodeIPs {
		if ip != nil && netutils.IsIPv6(ip) == v6 {
			p.nodeIPs = append(p.nodeIPs, ip)
		}
	}
	for _, ip := range cfg.NodePortIPs {
		if ip != nil && netutils.IsIPv6(ip) == v6 && !ip.IsLoopback() {
			p.nodePortIPs = append(p.nodePortIPs, ip.String())
		}
	}
	if len(cfg.NodePortIPs) > 0 && p.nodePortIPs == nil {
		p.nodePortIPs = []string{} // addresses given, none of this family: no NodePorts
	}
	for _, c := range cfg.ClusterCIDRs {
		if _, cidr, err := netutils.ParseCIDRSloppy(c); err == nil && netutils.IsIPv6CIDR(cidr) == v6 {
			p.localCIDRs = append(p.localCIDRs, cidr.String())
		}
	}
	return p
}

// masqueradeRule marks a packet for masquerade in postrouting.
func (p *params) masqueradeRule() string { return "mark set mark or " + p.mark }

// fromLocal matches traffic from the pod network; "" when it is not configured.
func (p *params) fromLocal(negate bool) string {
	if len(p.localCIDRs) == 0 {
		return ""
	}
	op := ""
	if negate {
		op = "!= "
	}
	return p.ipX + " saddr " + op + anonymousSet(p.localCIDRs)
}

// anonymousSet writes values as an nft anonymous set, or the value alone if it is one.
func anonymousSet(values []string) string {
	if len(values) == 1 {
		return values[0]
	}
	return "{ " + strings.Join(values, ", ") + " }"
}
