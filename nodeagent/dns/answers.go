package dns

import (
	"context"
	"math"
	"net"
	"strings"

	mdns "github.com/miekg/dns"
	"k8s.io/klog/v2"
)

// maxCNAMEChain is how many CNAMEs an answer follows, as CoreDNS.
const maxCNAMEChain = 8

// addresses answers A or AAAA for name (as asked), following ExternalName CNAMEs inside the
// zone and resolving those outside it upstream; previous are the CNAMEs already followed.
func (r *resolver) addresses(ctx context.Context, name string, qtype uint16, previous []mdns.RR) ([]mdns.RR, error) {
	lname := strings.ToLower(name)
	zoneQ := name[len(name)-len(r.zone):]
	items, err := r.items(trimZone(lname, r.zone), zoneQ, qtype)
	if err != nil {
		return nil, err
	}
	var out []mdns.RR
	seen := map[string]bool{}
	for _, it := range items {
		if ip := net.ParseIP(it.host); ip != nil {
			if rr := r.address(name, qtype, ip); rr != nil && !seen[it.host] {
				seen[it.host] = true
				out = append(out, rr)
			}
			continue
		}
		target := mdns.Fqdn(it.host)
		if strings.EqualFold(target, name) || len(previous) >= maxCNAMEChain || cnameSeen(previous, target) {
			continue
		}
		cname := &mdns.CNAME{Hdr: r.hdr(name, mdns.TypeCNAME), Target: target}
		if mdns.IsSubDomain(r.zone, strings.ToLower(target)) {
			next, err := r.addresses(ctx, target, qtype, append(previous, cname))
			if err == nil && len(next) > 0 {
				out = append(out, cname)
				out = append(out, next...)
			}
			continue
		}
		if r.upstream == nil {
			continue
		}
		resp, err := r.upstream(ctx, target, qtype)
		if err != nil {
			klog.FromContext(ctx).V(4).Info("Resolving ExternalName target failed", "name", name, "target", target, "err", err)
			continue
		}
		out = append(out, cname)
		out = append(out, resp.Answer...)
	}
	return out, nil
}

// address is an A or AAAA record for ip when its family fits qtype.
func (r *resolver) address(name string, qtype uint16, ip net.IP) mdns.RR {
	v4 := ip.To4()
	switch {
	case qtype == mdns.TypeA && v4 != nil:
		return &mdns.A{Hdr: r.hdr(name, mdns.TypeA), A: v4}
	case qtype == mdns.TypeAAAA && v4 == nil:
		return &mdns.AAAA{Hdr: r.hdr(name, mdns.TypeAAAA), AAAA: ip}
	}
	return nil
}

func cnameSeen(previous []mdns.RR, target string) bool {
	for _, rr := range previous {
		if c, ok := rr.(*mdns.CNAME); ok && strings.EqualFold(c.Hdr.Name, target) {
			return true
		}
	}
	return false
}

// srv answers SRV: one record per target and port, weights splitting 100 between the items
// as CoreDNS does, and the targets' addresses in the additional section.
func (r *resolver) srv(name, base, zoneQ string) (answer, extra []mdns.RR, err error) {
	items, err := r.items(base, zoneQ, mdns.TypeSRV)
	if err != nil {
		return nil, nil, err
	}
	weight := uint16(1)
	if len(items) > 0 {
		weight = max(uint16(math.Floor(100/float64(len(items)))), 1)
	}
	type key struct {
		target, addr string
		port         int32
	}
	seen := map[key]bool{}
	for _, it := range items {
		if it.port == noPort {
			continue
		}
		if k := (key{target: it.target, port: it.port}); !seen[k] {
			seen[k] = true
			answer = append(answer, &mdns.SRV{Hdr: r.hdr(name, mdns.TypeSRV), Priority: 0,
				Weight: weight, Port: uint16(it.port), Target: it.target})
		}
		ip := net.ParseIP(it.host)
		qtype := mdns.TypeA
		if ip.To4() == nil {
			qtype = mdns.TypeAAAA
		}
		if k := (key{target: it.target, addr: it.host}); !seen[k] {
			seen[k] = true
			extra = append(extra, r.address(it.target, qtype, ip))
		}
	}
	return answer, extra, nil
}

// cname answers CNAME: the ExternalName of a service.
func (r *resolver) cname(name, base, zoneQ string) ([]mdns.RR, error) {
	items, err := r.items(base, zoneQ, mdns.TypeCNAME)
	if err != nil || len(items) == 0 || net.ParseIP(items[0].host) != nil {
		return nil, err
	}
	return []mdns.RR{&mdns.CNAME{Hdr: r.hdr(name, mdns.TypeCNAME), Target: mdns.Fqdn(items[0].host)}}, nil
}

// txt answers TXT: only dns-version.<zone> has one; every other name is NODATA.
func (r *resolver) txt(name, base string) []mdns.RR {
	if base != "dns-version" {
		return nil
	}
	h := r.hdr(name, mdns.TypeTXT)
	h.Ttl = schemaVersionTTL
	return []mdns.RR{&mdns.TXT{Hdr: h, Txt: []string{dnsSchemaVersion}}}
}

// ns answers NS for the zone apex: the DNS Service's name, its addresses as additional records.
func (r *resolver) ns(zoneQ string) (answer, extra []mdns.RR) {
	seen := map[string]bool{}
	for _, it := range r.nsItems(zoneQ) {
		ip := net.ParseIP(it.host)
		qtype := mdns.TypeA
		if ip.To4() == nil {
			qtype = mdns.TypeAAAA
		}
		extra = append(extra, r.address(it.target, qtype, ip))
		if !seen[it.target] {
			seen[it.target] = true
			answer = append(answer, &mdns.NS{Hdr: r.hdr(zoneQ, mdns.TypeNS), Ns: it.target})
		}
	}
	return answer, extra
}

// nsItems are the addresses of this server: the DNS Service's ClusterIPs, or else the
// address it listens on, under ns.dns.<zone>.
func (r *resolver) nsItems(zoneQ string) []item {
	var items []item
	if svc := r.store.service(r.cfg.DNSService.Namespace, r.cfg.DNSService.Name); svc != nil {
		name := strings.Join([]string{svc.Name, svc.Namespace, kindService, zoneQ}, ".")
		for _, ip := range serviceIPs(svc) {
			items = append(items, item{host: ip, port: noPort, target: name})
		}
	}
	if len(items) == 0 && r.localIP.IsValid() && !r.localIP.IsUnspecified() {
		items = append(items, item{host: r.localIP.String(), port: noPort, target: "ns.dns." + zoneQ})
	}
	return items
}
