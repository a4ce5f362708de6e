package dns

import (
	"context"
	"net/netip"
	"strings"

	mdns "github.com/miekg/dns"
)

// upstreamFunc resolves a name outside the cluster (ExternalName targets).
type upstreamFunc func(ctx context.Context, name string, qtype uint16) (*mdns.Msg, error)

// resolver answers queries for the cluster zone and the reverse zones from the store, as
// CoreDNS's kubernetes plugin does.
type resolver struct {
	cfg   Config
	zone  string // the cluster zone: FQDN, lower case
	store *store
	// upstream resolves ExternalName targets outside the zone; nil drops them.
	upstream upstreamFunc
	// localIP answers ns.dns.<zone> when the DNS Service does not exist.
	localIP netip.Addr
}

// serveCluster answers a query whose name is in the cluster zone.
func (r *resolver) serveCluster(ctx context.Context, req *mdns.Msg) *mdns.Msg {
	qname, qtype := req.Question[0].Name, req.Question[0].Qtype
	zoneQ := qname[len(qname)-len(r.zone):] // the zone as the query spells it
	base := trimZone(strings.ToLower(qname), r.zone)

	var answer, extra []mdns.RR
	var err error
	switch qtype {
	case mdns.TypeA, mdns.TypeAAAA:
		answer, err = r.addresses(ctx, qname, qtype, nil)
	case mdns.TypeSRV:
		answer, extra, err = r.srv(qname, base, zoneQ)
	case mdns.TypeCNAME:
		answer, err = r.cname(qname, base, zoneQ)
	case mdns.TypeTXT:
		answer = r.txt(qname, base)
	case mdns.TypeSOA:
		answer = []mdns.RR{r.soa(zoneQ)}
	case mdns.TypeNS:
		if base == "" {
			answer, extra = r.ns(zoneQ)
			break
		}
		_, err = r.items(base, zoneQ, mdns.TypeA)
	default:
		// PTR and MX names in the zone have no such records, and the rest are not served:
		// the A lookup tells NODATA from NXDOMAIN.
		_, err = r.items(base, zoneQ, mdns.TypeA)
	}

	if err != nil {
		rcode := mdns.RcodeNameError
		if !r.store.synced() {
			rcode = mdns.RcodeServerFailure
		}
		return r.negative(req, rcode, zoneQ)
	}
	if len(answer) == 0 {
		return r.negative(req, mdns.RcodeSuccess, zoneQ)
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.Answer, m.Extra = answer, extra
	return m
}

// serveReverse answers a PTR query for an address the cluster knows; ok is false for every
// other query in the reverse zones, which is forwarded (kubeadm's "fallthrough").
func (r *resolver) serveReverse(req *mdns.Msg) (*mdns.Msg, bool) {
	q := req.Question[0]
	if q.Qtype != mdns.TypePTR {
		return nil, false
	}
	addr, ok := reverseAddress(strings.ToLower(q.Name))
	if !ok {
		return nil, false
	}
	names := r.reverse(addr)
	if len(names) == 0 {
		return nil, false
	}
	m := new(mdns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	for _, n := range names {
		m.Answer = append(m.Answer, &mdns.PTR{Hdr: r.hdr(q.Name, mdns.TypePTR), Ptr: n})
	}
	return m, true
}

// items is CoreDNS's Services for the zone: the items a name resolves to for a query type.
func (r *resolver) items(base, zoneQ string, qtype uint16) ([]item, error) {
	if base == "ns.dns" && (qtype == mdns.TypeA || qtype == mdns.TypeAAAA) {
		return r.nsItems(zoneQ), nil
	}
	q, err := parseQuery(base)
	if err != nil {
		return nil, err
	}
	items, err := r.lookup(q, zoneQ)
	if qtype != mdns.TypeSRV {
		return items, err
	}
	// SRV records are not made for ExternalName services.
	kept := items[:0]
	for _, it := range items {
		if normalizeIP(it.host) != "" {
			kept = append(kept, it)
		}
	}
	return kept, err
}

func (r *resolver) hdr(name string, rrtype uint16) mdns.RR_Header {
	return mdns.RR_Header{Name: name, Rrtype: rrtype, Class: mdns.ClassINET, Ttl: r.cfg.TTL}
}

// negative is an answer without records: NXDOMAIN, SERVFAIL or NODATA, with the zone's SOA
// in the authority section.
func (r *resolver) negative(req *mdns.Msg, rcode int, zoneQ string) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetRcode(req, rcode)
	m.Authoritative = true
	m.Ns = []mdns.RR{r.soa(zoneQ)}
	return m
}

// soa is CoreDNS's synthesized SOA for the zone.
func (r *resolver) soa(zoneQ string) *mdns.SOA {
	h := r.hdr(zoneQ, mdns.TypeSOA)
	h.Ttl = min(r.cfg.TTL, 300)
	return &mdns.SOA{
		Hdr:     h,
		Ns:      "ns.dns." + zoneQ,
		Mbox:    "hostmaster." + zoneQ,
		Serial:  r.store.serial(),
		Refresh: 7200,
		Retry:   1800,
		Expire:  86400,
		Minttl:  r.cfg.TTL,
	}
}
