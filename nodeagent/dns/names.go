package dns

import (
	"errors"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
)

// Kinds of names under the cluster zone.
const (
	kindService = "svc"
	kindPod     = "pod"
)

// errNameError means the name does not exist (NXDOMAIN), as CoreDNS's errNoItems,
// errNsNotExposed and errInvalidRequest do.
var errNameError = errors.New("no such name")

// query is a name under the cluster zone split into the labels of the schema:
// [_port._proto.|endpoint.]service.namespace.(svc|pod).
type query struct {
	port, protocol string
	endpoint       string
	service        string
	namespace      string
	kind           string // kindService, kindPod, or "" for the zone, svc.<zone> and pod.<zone>
}

// parseQuery splits base, a lower-case name relative to the zone without the trailing dot, as
// CoreDNS's parseRequest does: too many labels or a kind other than svc/pod is a name error.
func parseQuery(base string) (query, error) {
	var q query
	if base == "" || base == kindService || base == kindPod {
		return q, nil
	}
	segs := mdns.SplitDomainName(base)
	last := len(segs) - 1
	q.kind = segs[last]
	if q.kind != kindService && q.kind != kindPod {
		return q, errNameError
	}
	if last--; last < 0 {
		return q, nil
	}
	q.namespace = segs[last]
	if last--; last < 0 {
		return q, nil
	}
	q.service = segs[last]
	if last--; last < 0 {
		return q, nil
	}
	switch last {
	case 0:
		q.endpoint = segs[0]
	case 1:
		q.protocol = strings.TrimPrefix(segs[1], "_")
		q.port = strings.TrimPrefix(segs[0], "_")
	default:
		return q, errNameError
	}
	return q, nil
}

// trimZone returns name without the zone suffix and the dot before it; both are FQDNs.
func trimZone(name, zone string) string {
	if len(name) <= len(zone) {
		return ""
	}
	return strings.TrimSuffix(name[:len(name)-len(zone)], ".")
}

// endpointHostname is the label of an endpoint under its service: its hostname, or else its
// address with dots or colons replaced by dashes.
func endpointHostname(hostname *string, ip string) string {
	if hostname != nil && *hostname != "" {
		return *hostname
	}
	if strings.Contains(ip, ".") {
		return strings.ReplaceAll(ip, ".", "-")
	}
	return strings.ReplaceAll(ip, ":", "-")
}

// podAddress turns the first label of a pod name (1-2-3-4, or 2001-db8--1) back into its
// address; ok is false when it is not one.
func podAddress(label string) (netip.Addr, bool) {
	var s string
	if strings.Count(label, "-") == 3 && !strings.Contains(label, "--") {
		s = strings.ReplaceAll(label, "-", ".")
	} else {
		s = strings.ReplaceAll(label, "-", ":")
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// reverseAddress extracts the address from a full in-addr.arpa or ip6.arpa name (lower case,
// FQDN); ok is false for partial or malformed names.
func reverseAddress(name string) (netip.Addr, bool) {
	switch {
	case strings.HasSuffix(name, ".in-addr.arpa."):
		labels := mdns.SplitDomainName(strings.TrimSuffix(name, ".in-addr.arpa."))
		if len(labels) != 4 {
			return netip.Addr{}, false
		}
		for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
			labels[i], labels[j] = labels[j], labels[i]
		}
		a, err := netip.ParseAddr(strings.Join(labels, "."))
		return a, err == nil && a.Is4()
	case strings.HasSuffix(name, ".ip6.arpa."):
		labels := mdns.SplitDomainName(strings.TrimSuffix(name, ".ip6.arpa."))
		if len(labels) != 32 {
			return netip.Addr{}, false
		}
		var b strings.Builder
		for i := len(labels) - 1; i >= 0; i-- {
			if len(labels[i]) != 1 {
				return netip.Addr{}, false
			}
			b.WriteString(labels[i])
			if i%4 == 0 && i > 0 {
				b.WriteByte(':')
			}
		}
		a, err := netip.ParseAddr(b.String())
		return a, err == nil && a.Is6()
	}
	return netip.Addr{}, false
}

// normalizeIP returns the canonical text of an address, or "" if s is not one.
func normalizeIP(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return ""
	}
	return a.Unmap().String()
}
