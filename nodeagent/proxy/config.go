package proxy

import (
	"fmt"
	"net"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/utils/clock"
	netutils "k8s.io/utils/net"
	"sigs.k8s.io/knftables"
)

// TableName is the nftables table the proxy owns, in the ip (IPv4) or ip6 (IPv6) family.
// Nothing else may write to it; it is deleted on shutdown.
const TableName = "skiff-proxy"

// Config configures a Proxier. Zero values take the defaults documented on each field,
// which are kube-proxy's.
type Config struct {
	// NodeName is this node's name: endpoints whose nodeName matches it are local.
	NodeName string
	// IPFamily is the family served (default IPv4). Run one Proxier per family for dual stack.
	IPFamily v1.IPFamily
	// NodeIPs are the node's addresses; LoadBalancerSourceRanges that contain one of them
	// also admit traffic from the load balancer IPs themselves, as upstream does.
	NodeIPs []net.IP
	// NodePortIPs, when set, are the only addresses that accept NodePort traffic (kube-proxy's
	// --nodeport-addresses resolved to addresses). Empty: every local address except
	// loopback, upstream's default.
	NodePortIPs []net.IP
	// ClusterCIDRs are the pod network's ranges (kube-proxy's --cluster-cidr, detect-local-mode
	// ClusterCIDR). Traffic from outside them to a ClusterIP is masqueraded, and pod traffic
	// to external IPs of externalTrafficPolicy Local services short-circuits to all
	// endpoints. Empty: local traffic is not detected.
	ClusterCIDRs []string
	// MasqueradeAll masquerades all traffic to ClusterIPs.
	MasqueradeAll bool
	// MasqueradeBit is the packet mark bit that asks for masquerade (default 14).
	MasqueradeBit int
	// MinSyncInterval is the least time between two syncs; events in between are batched
	// (default 1s, kube-proxy's minSyncPeriod).
	MinSyncInterval time.Duration
	// SyncPeriod is the longest time between two syncs (default 30s).
	SyncPeriod time.Duration
	// Clock times syncs (default the real clock).
	Clock clock.WithTicker
}

// Defaults of Config.
const (
	DefaultMasqueradeBit   = 14
	DefaultMinSyncInterval = time.Second
	DefaultSyncPeriod      = 30 * time.Second
	// staleChainDelay is how long a chain stays flushed before it is deleted: kernels
	// before 6.2 notice only a little later that a deleted map element no longer refers
	// to a chain.
	staleChainDelay = time.Second
)

func (c Config) withDefaults() (Config, error) {
	if c.IPFamily == "" {
		c.IPFamily = v1.IPv4Protocol
	}
	if c.IPFamily != v1.IPv4Protocol && c.IPFamily != v1.IPv6Protocol {
		return c, fmt.Errorf("unsupported IP family %q", c.IPFamily)
	}
	if c.MasqueradeBit == 0 {
		c.MasqueradeBit = DefaultMasqueradeBit
	}
	if c.MasqueradeBit < 0 || c.MasqueradeBit > 31 {
		return c, fmt.Errorf("masquerade bit %d is not in [0, 31]", c.MasqueradeBit)
	}
	for _, cidr := range c.ClusterCIDRs {
		if _, _, err := netutils.ParseCIDRSloppy(cidr); err != nil {
			return c, fmt.Errorf("invalid cluster CIDR %q: %w", cidr, err)
		}
	}
	if c.MinSyncInterval <= 0 {
		c.MinSyncInterval = DefaultMinSyncInterval
	}
	if c.SyncPeriod <= 0 {
		c.SyncPeriod = DefaultSyncPeriod
	}
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	return c, nil
}

// NFTablesFamily is the nftables family that serves an IP family.
func NFTablesFamily(family v1.IPFamily) knftables.Family {
	if family == v1.IPv6Protocol {
		return knftables.IPv6Family
	}
	return knftables.IPv4Family
}

// NewNFTables returns the nftables interface for the proxy's table in family. It fails
// where nft is missing or may not be run.
func NewNFTables(family v1.IPFamily) (knftables.Interface, error) {
	nft, err := knftables.New(NFTablesFamily(family), TableName)
	if err != nil {
		return nil, fmt.Errorf("nftables for %s: %w", family, err)
	}
	return nft, nil
}
