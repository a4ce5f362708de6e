package proxy

import (
	"crypto/sha256"
	"encoding/base32"
	"net"
	"strconv"
	"strings"

	"sigs.k8s.io/knftables"
)

// Names of the table's fixed objects; kube-proxy's, so `nft list table` reads the same.
const (
	// base chains, "<type>-<hook>"
	chainFilterPreroutingPreDNAT = "filter-prerouting-pre-dnat"
	chainFilterOutputPreDNAT     = "filter-output-pre-dnat"
	chainFilterInput             = "filter-input"
	chainFilterForward           = "filter-forward"
	chainFilterOutput            = "filter-output"
	chainNATPrerouting           = "nat-prerouting"
	chainNATOutput               = "nat-output"
	chainNATPostrouting          = "nat-postrouting"

	chainServices               = "services"
	chainServiceEndpointsCheck  = "service-endpoints-check"
	chainNodePortEndpointsCheck = "nodeport-endpoints-check"
	chainReject                 = "reject-chain"
	chainClusterIPsCheck        = "cluster-ips-check"
	chainFirewallCheck          = "firewall-check"
	chainMasquerading           = "masquerading"

	mapServiceIPs          = "service-ips"
	mapServiceNodePorts    = "service-nodeports"
	mapNoEndpointServices  = "no-endpoint-services"
	mapNoEndpointNodePorts = "no-endpoint-nodeports"
	mapFirewallIPs         = "firewall-ips"
	setNodePortIPs         = "nodeport-ips"
	setClusterIPs          = "cluster-ips"
	setHairpinConnections  = "hairpin-connections"
)

// Prefixes of the per-Service-port and per-endpoint objects.
const (
	prefixClusterPolicy = "service-"
	prefixLocalPolicy   = "local-"
	prefixExternal      = "external-"
	prefixFirewall      = "firewall-"
	prefixEndpoint      = "endpoint-"
	prefixAffinity      = "affinity-"
	maxPrefixLen        = 16
)

// hashedName is name behind the first 8 base32 characters of its SHA-256, which keeps
// names unique when they are cut to nftables' length limit and easy to tell apart.
func hashedName(name string) string {
	sum := sha256.Sum256([]byte(name))
	name = base32.StdEncoding.EncodeToString(sum[:])[:8] + "-" + name
	if limit := knftables.NameLengthMax - maxPrefixLen; len(name) > limit {
		name = name[:limit-3] + "..."
	}
	return name
}

// portChainBase names a Service port's chains: "HASH-ns/name/proto/port". Names of our
// fixed objects never contain "/", so these are told apart by it.
func portChainBase(n portName) string {
	return hashedName(n.Namespace + "/" + n.Name + "/" + strings.ToLower(string(n.Protocol)) + "/" + n.Port)
}

// endpointChainBase names an endpoint's chain and affinity set:
// "HASH-ns/name/proto/port__ip/port" (an IPv6 address with "." for ":").
func endpointChainBase(n portName, ep *endpoint) string {
	ip := strings.ReplaceAll(ep.ip, ":", ".")
	return hashedName(n.Namespace + "/" + n.Name + "/" + strings.ToLower(string(n.Protocol)) + "/" + n.Port +
		"__" + ip + "/" + strconv.Itoa(ep.port))
}

// isPortChain: a per-Service-port or per-endpoint chain (see portChainBase).
func isPortChain(name string) bool { return strings.Contains(name, "/") }

// isAffinitySet: a per-endpoint session affinity set.
func isAffinitySet(name string) bool { return strings.HasPrefix(name, prefixAffinity) }

// comment cuts s to nftables' comment length limit.
func comment(s string) *string {
	if len(s) > knftables.CommentLengthMax {
		s = s[:knftables.CommentLengthMax]
	}
	return &s
}

// joinHostPort is ip:port, [ip]:port for IPv6, as dnat's "to" wants it.
func joinHostPort(ip string, port int) string { return net.JoinHostPort(ip, strconv.Itoa(port)) }
