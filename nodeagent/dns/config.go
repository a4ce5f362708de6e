package dns

import (
	"fmt"
	"net"
	"strings"
	"time"

	mdns "github.com/miekg/dns"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
)

// Pod record modes of CoreDNS's kubernetes plugin ("pods" directive).
const (
	// PodModeInsecure answers <a-b-c-d>.<ns>.pod.<zone> with the address in the name
	// without looking for a pod (kubeadm's Corefile).
	PodModeInsecure = "insecure"
	// PodModeDisabled answers every pod name with NXDOMAIN (CoreDNS's own default).
	PodModeDisabled = "disabled"
)

// Config configures a Server. The zero value of each field takes the default documented on it,
// which is what kubeadm's CoreDNS Corefile does.
type Config struct {
	// ClusterDomain is the zone served from the API (default cluster.local).
	ClusterDomain string
	// ListenAddr is the UDP and TCP address (default ":53"); port 0 picks a free port
	// shared by both.
	ListenAddr string
	// ResolvConf lists the upstream resolvers for names outside the cluster's zones
	// (default /etc/resolv.conf). A resolver that is this server itself is skipped.
	ResolvConf string
	// TTL of the cluster's records (default 30, kubeadm's "ttl 30"; CoreDNS allows 5-3600).
	TTL uint32
	// PodMode is PodModeInsecure (default) or PodModeDisabled.
	PodMode string
	// ForwardTimeout bounds one attempt at one upstream (default 2s); a forwarded query
	// gives up after ForwardDeadline (default 5s, CoreDNS forward's).
	ForwardTimeout  time.Duration
	ForwardDeadline time.Duration
	// ForwardMaxTTL caps the TTLs of forwarded answers (default 30: kubeadm's "cache 30").
	ForwardMaxTTL uint32
	// DNSService is the Service that fronts this server; its ClusterIPs answer NS queries for
	// the zone (default kube-system/kube-dns).
	DNSService types.NamespacedName
	// SyncTimeout is how long Run waits for the informers before it serves anyway, as
	// CoreDNS does (default 5s). Until they have synced, names not found get SERVFAIL.
	SyncTimeout time.Duration
	// Clock stamps the SOA serial (default the real clock).
	Clock clock.PassiveClock
}

// Defaults of Config.
const (
	DefaultClusterDomain = "cluster.local"
	DefaultListenAddr    = ":53"
	DefaultResolvConf    = "/etc/resolv.conf"
	DefaultTTL           = 30
	minTTL, maxTTL       = 5, 3600
	// dnsSchemaVersion is what CoreDNS answers for dns-version.<zone> TXT.
	dnsSchemaVersion = "1.1.0"
	schemaVersionTTL = 28800
)

// reverseZones are the reverse zones kubeadm's Corefile gives the kubernetes plugin, with
// fallthrough: addresses not found there are forwarded.
var reverseZones = []string{"in-addr.arpa.", "ip6.arpa."}

func (c Config) withDefaults() (Config, error) {
	if c.ClusterDomain == "" {
		c.ClusterDomain = DefaultClusterDomain
	}
	c.ClusterDomain = strings.TrimSuffix(strings.ToLower(c.ClusterDomain), ".")
	if _, ok := mdns.IsDomainName(c.ClusterDomain); !ok || c.ClusterDomain == "" {
		return c, fmt.Errorf("invalid cluster domain %q", c.ClusterDomain)
	}
	if c.ListenAddr == "" {
		c.ListenAddr = DefaultListenAddr
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return c, fmt.Errorf("invalid listen address %q: %w", c.ListenAddr, err)
	}
	if c.ResolvConf == "" {
		c.ResolvConf = DefaultResolvConf
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	c.TTL = min(max(c.TTL, minTTL), maxTTL)
	switch c.PodMode {
	case "":
		c.PodMode = PodModeInsecure
	case PodModeInsecure, PodModeDisabled:
	default:
		return c, fmt.Errorf("unsupported pod mode %q (want %q or %q)", c.PodMode, PodModeInsecure, PodModeDisabled)
	}
	if c.ForwardTimeout <= 0 {
		c.ForwardTimeout = 2 * time.Second
	}
	if c.ForwardDeadline <= 0 {
		c.ForwardDeadline = 5 * time.Second
	}
	if c.ForwardMaxTTL == 0 {
		c.ForwardMaxTTL = 30
	}
	if c.DNSService.Name == "" {
		c.DNSService = types.NamespacedName{Namespace: "kube-system", Name: "kube-dns"}
	}
	if c.SyncTimeout <= 0 {
		c.SyncTimeout = 5 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	return c, nil
}
