package dns

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Limits kubelet applies to a pod's resolver configuration (the API's validation limits).
const (
	MaxDNSNameservers     = 3
	MaxDNSSearchPaths     = 32
	MaxDNSSearchListChars = 2048
	maxSearchDomainLength = 253
	maxResolvConfBytes    = 10 << 20
)

// ResolverConfig is a resolv.conf: nameservers, search domains and options (as CRI's DNSConfig).
type ResolverConfig struct {
	Servers  []string
	Searches []string
	Options  []string
}

// Content is the resolv.conf text, laid out as containerd writes it.
func (c ResolverConfig) Content() string {
	var b strings.Builder
	if len(c.Searches) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(c.Searches, " "))
	}
	for _, s := range c.Servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	if len(c.Options) > 0 {
		fmt.Fprintf(&b, "options %s\n", strings.Join(c.Options, " "))
	}
	return b.String()
}

// ParseResolvConf reads a resolv.conf as kubelet does: nameservers accumulate, the last search
// line wins (trailing dots dropped, "." ignored), options accumulate with later ones replacing
// earlier ones of the same name.
func ParseResolvConf(r io.Reader) (ResolverConfig, error) {
	c := ResolverConfig{Servers: []string{}, Searches: []string{}, Options: []string{}}
	sc := bufio.NewScanner(io.LimitReader(r, maxResolvConfBytes))
	sc.Buffer(make([]byte, 64<<10), maxResolvConfBytes)
	var errs []string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 {
				errs = append(errs, "nameserver list is empty ")
				continue
			}
			c.Servers = append(c.Servers, f[1])
		case "search":
			c.Searches = []string{}
			for _, s := range f[1:] {
				if s != "." {
					c.Searches = append(c.Searches, strings.TrimSuffix(s, "."))
				}
			}
		case "options":
			c.Options = setOptions(c.Options, f[1:]...)
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("%s", strings.Join(errs, ", "))
	}
	return c, nil
}

// PodDNSParams are the node's DNS settings (kubelet's --cluster-dns, --cluster-domain and
// --resolv-conf).
type PodDNSParams struct {
	// ClusterDNS are the cluster DNS server's addresses; empty makes ClusterFirst fall back to Default.
	ClusterDNS []string
	// ClusterDomain is the cluster's zone, e.g. cluster.local.
	ClusterDomain string
	// Host is the node's parsed resolv.conf, nil when kubelet has none (--resolv-conf="").
	Host *ResolverConfig
	// NodeIPs choose the localhost nameservers when there is no host resolv.conf.
	NodeIPs []net.IP
}

// Event is an event kubelet records while forming a pod's DNS configuration.
type Event struct {
	// OnNode is true for the node's event, false for the pod's.
	OnNode       bool
	Type, Reason string
	Message      string
}

// ReadHostResolvConf parses the node's resolv.conf at path; "" means none.
func ReadHostResolvConf(path string) (*ResolverConfig, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ParseResolvConf(f)
	if err != nil {
		return nil, fmt.Errorf("Encountered error while parsing resolv conf file. Error: %w", err)
	}
	return &c, nil
}

// PodDNS forms a pod's resolver configuration from its dnsPolicy and dnsConfig as kubelet does,
// with the events kubelet would record.
func PodDNS(pod *corev1.Pod, p PodDNSParams) (ResolverConfig, []Event) {
	var events []Event
	var c ResolverConfig
	if p.Host != nil {
		c = ResolverConfig{Servers: slices.Clone(p.Host.Servers), Searches: slices.Clone(p.Host.Searches), Options: slices.Clone(p.Host.Options)}
	}
	switch podDNSType(pod) {
	case corev1.DNSNone:
		c = ResolverConfig{}
	case corev1.DNSClusterFirst:
		if len(p.ClusterDNS) > 0 {
			c.Servers = slices.Clone(p.ClusterDNS)
			c.Searches = clusterSearches(c.Searches, pod.Namespace, p.ClusterDomain)
			c.Options = []string{"ndots:5"}
			break
		}
		msg := fmt.Sprintf("kubelet does not have ClusterDNS IP configured and cannot create Pod using %q policy. Falling back to %q policy.", corev1.DNSClusterFirst, corev1.DNSDefault)
		events = append(events,
			Event{OnNode: true, Type: corev1.EventTypeWarning, Reason: "MissingClusterDNS", Message: msg},
			Event{Type: corev1.EventTypeWarning, Reason: "MissingClusterDNS", Message: fmt.Sprintf("pod: %q. %s", podDesc(pod), msg)})
		fallthrough
	case corev1.DNSDefault:
		if p.Host == nil {
			for _, ip := range p.NodeIPs {
				if ip.To4() == nil {
					c.Servers = append(c.Servers, "::1")
				} else {
					c.Servers = append(c.Servers, "127.0.0.1")
				}
			}
			if len(c.Servers) == 0 {
				c.Servers = append(c.Servers, "127.0.0.1")
			}
			c.Searches = []string{"."}
		}
	}
	if dc := pod.Spec.DNSConfig; dc != nil {
		c.Servers = unique(append(c.Servers, dc.Nameservers...))
		c.Searches = unique(append(c.Searches, dc.Searches...))
		for _, o := range dc.Options {
			opt := o.Name
			if o.Value != nil && *o.Value != "" {
				opt += ":" + *o.Value
			}
			c.Options = setOptions(c.Options, opt)
		}
	}
	return fitLimits(c, &events), events
}

// podDNSType maps the policy to the resolver it gets: ClusterFirst for a hostNetwork pod is
// Default; ClusterFirstWithHostNet is ClusterFirst; an unknown policy is ClusterFirst.
func podDNSType(pod *corev1.Pod) corev1.DNSPolicy {
	switch pod.Spec.DNSPolicy {
	case corev1.DNSNone, corev1.DNSDefault:
		return pod.Spec.DNSPolicy
	case corev1.DNSClusterFirst:
		if pod.Spec.HostNetwork {
			return corev1.DNSDefault
		}
	}
	return corev1.DNSClusterFirst
}

func clusterSearches(host []string, namespace, domain string) []string {
	if domain == "" {
		return host
	}
	return unique(append([]string{namespace + ".svc." + domain, "svc." + domain, domain}, host...))
}

// setOptions adds options, each replacing an earlier one of the same name (before ":").
func setOptions(opts []string, add ...string) []string {
	out := slices.Clone(opts)
	for _, o := range add {
		name, _, _ := strings.Cut(o, ":")
		i := slices.IndexFunc(out, func(e string) bool { n, _, _ := strings.Cut(e, ":"); return n == name })
		if i >= 0 {
			out[i] = o
		} else {
			out = append(out, o)
		}
	}
	return out
}

func unique(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// fitLimits trims nameservers and search domains to kubelet's limits, with its events.
func fitLimits(c ResolverConfig, events *[]Event) ResolverConfig {
	if len(c.Servers) > MaxDNSNameservers {
		c.Servers = c.Servers[:MaxDNSNameservers]
		*events = append(*events, Event{Type: corev1.EventTypeWarning, Reason: "DNSConfigForming",
			Message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: " + strings.Join(c.Servers, " ")})
	}
	exceeded := false
	if len(c.Searches) > MaxDNSSearchPaths {
		c.Searches = c.Searches[:MaxDNSSearchPaths]
		exceeded = true
	}
	kept := c.Searches[:0]
	for _, s := range c.Searches {
		if len(s) > maxSearchDomainLength {
			exceeded = true
			continue
		}
		kept = append(kept, s)
	}
	c.Searches = kept
	for len(c.Searches) > 0 && len(strings.Join(c.Searches, " ")) > MaxDNSSearchListChars {
		c.Searches = c.Searches[:len(c.Searches)-1]
		exceeded = true
	}
	if exceeded {
		*events = append(*events, Event{Type: corev1.EventTypeWarning, Reason: "DNSConfigForming",
			Message: "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: " + strings.Join(c.Searches, " ")})
	}
	return c
}

// podDesc is kubelet's format.Pod: name_namespace(uid).
func podDesc(pod *corev1.Pod) string {
	return fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
}
