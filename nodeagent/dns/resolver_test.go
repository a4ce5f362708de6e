package dns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	mdns "github.com/miekg/dns"
)

const (
	nxdomain = mdns.RcodeNameError
	noerror  = mdns.RcodeSuccess
	servfail = mdns.RcodeServerFailure
)

func TestAnswer(t *testing.T) {
	tests := []struct {
		name   string
		qname  string
		qtype  uint16
		rcode  int
		answer []string
		extra  []string
		// forwarded marks queries that leave the cluster zones (SERVFAIL here: no upstreams).
		forwarded bool
	}{
		{name: "clusterIP A", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"web.ns1.svc.cluster.local. 30 IN A 10.96.0.20"}},
		{name: "case kept", qname: "WEB.ns1.SVC.Cluster.Local.", qtype: mdns.TypeA,
			answer: []string{"WEB.ns1.SVC.Cluster.Local. 30 IN A 10.96.0.20"}},
		{name: "clusterIP AAAA is NODATA", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypeAAAA},
		{name: "dual-stack AAAA", qname: "dual.ns1.svc.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"dual.ns1.svc.cluster.local. 30 IN AAAA fd00::30"}},
		{name: "unknown service", qname: "nope.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "unknown namespace", qname: "web.nons.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "namespace is NODATA", qname: "ns1.svc.cluster.local.", qtype: mdns.TypeA},
		{name: "unknown namespace alone", qname: "nons.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "svc label is NODATA", qname: "svc.cluster.local.", qtype: mdns.TypeA},
		{name: "apex is NODATA", qname: "cluster.local.", qtype: mdns.TypeA},
		{name: "other label", qname: "foo.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "no wildcards", qname: "*.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "no any wildcard", qname: "web.any.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "too long", qname: "a.b.c.web.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "headless A: ready endpoints", qname: "db.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"db.ns1.svc.cluster.local. 30 IN A 10.244.0.5", "db.ns1.svc.cluster.local. 30 IN A 10.244.0.6"}},
		{name: "endpoint hostname", qname: "db-0.db.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"db-0.db.ns1.svc.cluster.local. 30 IN A 10.244.0.5"}},
		{name: "endpoint dashed IP", qname: "10-244-0-6.db.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-244-0-6.db.ns1.svc.cluster.local. 30 IN A 10.244.0.6"}},
		{name: "not-ready endpoint", qname: "db-2.db.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "endpoint of clusterIP service", qname: "10-244-0-9.web.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-244-0-9.web.ns1.svc.cluster.local. 30 IN A 10.244.0.9"}},
		{name: "headless without endpoints", qname: "empty.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "headless without ports", qname: "noports.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"noports.ns1.svc.cluster.local. 30 IN A 10.244.1.1"}},
		{name: "SRV named port", qname: "_http._tcp.web.ns1.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"_http._tcp.web.ns1.svc.cluster.local. 30 IN SRV 0 100 80 web.ns1.svc.cluster.local."},
			extra:  []string{"web.ns1.svc.cluster.local. 30 IN A 10.96.0.20"}},
		{name: "SRV all ports", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"web.ns1.svc.cluster.local. 30 IN SRV 0 50 80 web.ns1.svc.cluster.local.",
				"web.ns1.svc.cluster.local. 30 IN SRV 0 50 53 web.ns1.svc.cluster.local."},
			extra: []string{"web.ns1.svc.cluster.local. 30 IN A 10.96.0.20"}},
		{name: "SRV unknown port", qname: "_http._udp.web.ns1.svc.cluster.local.", qtype: mdns.TypeSRV, rcode: nxdomain},
		{name: "SRV headless", qname: "_pg._tcp.db.ns1.svc.cluster.local.", qtype: mdns.TypeSRV,
			answer: []string{"_pg._tcp.db.ns1.svc.cluster.local. 30 IN SRV 0 50 5432 db-0.db.ns1.svc.cluster.local.",
				"_pg._tcp.db.ns1.svc.cluster.local. 30 IN SRV 0 50 5432 10-244-0-6.db.ns1.svc.cluster.local."},
			extra: []string{"db-0.db.ns1.svc.cluster.local. 30 IN A 10.244.0.5", "10-244-0-6.db.ns1.svc.cluster.local. 30 IN A 10.244.0.6"}},
		{name: "SRV without ports", qname: "noports.ns1.svc.cluster.local.", qtype: mdns.TypeSRV},
		{name: "SRV of ExternalName", qname: "ext.ns1.svc.cluster.local.", qtype: mdns.TypeSRV},
		{name: "CNAME of ExternalName", qname: "ext.ns1.svc.cluster.local.", qtype: mdns.TypeCNAME,
			answer: []string{"ext.ns1.svc.cluster.local. 30 IN CNAME www.example.com."}},
		{name: "CNAME of ClusterIP service", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypeCNAME},
		{name: "A of ExternalName", qname: "ext.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"ext.ns1.svc.cluster.local. 30 IN CNAME www.example.com.", "www.example.com. 3600 IN A 192.0.2.53"}},
		{name: "A of ExternalName in the zone", qname: "inner.ns1.svc.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"inner.ns1.svc.cluster.local. 30 IN CNAME web.ns1.svc.cluster.local.", "web.ns1.svc.cluster.local. 30 IN A 10.96.0.20"}},
		{name: "CNAME loop", qname: "loop.ns1.svc.cluster.local.", qtype: mdns.TypeA},
		{name: "endpoint of ExternalName", qname: "x.ext.ns1.svc.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "pod A", qname: "10-244-3-4.ns1.pod.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"10-244-3-4.ns1.pod.cluster.local. 30 IN A 10.244.3.4"}},
		{name: "pod AAAA", qname: "fd00--1.ns1.pod.cluster.local.", qtype: mdns.TypeAAAA,
			answer: []string{"fd00--1.ns1.pod.cluster.local. 30 IN AAAA fd00::1"}},
		{name: "pod not an address", qname: "web.ns1.pod.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "pod namespace", qname: "ns1.pod.cluster.local.", qtype: mdns.TypeA},
		{name: "pod unknown namespace", qname: "10-244-3-4.nons.pod.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "schema version", qname: "dns-version.cluster.local.", qtype: mdns.TypeTXT,
			answer: []string{`dns-version.cluster.local. 28800 IN TXT "1.1.0"`}},
		{name: "TXT elsewhere is NODATA", qname: "nope.ns1.svc.cluster.local.", qtype: mdns.TypeTXT},
		{name: "NS of the zone", qname: "cluster.local.", qtype: mdns.TypeNS,
			answer: []string{"cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local."},
			extra:  []string{"kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10"}},
		{name: "ns.dns", qname: "ns.dns.cluster.local.", qtype: mdns.TypeA,
			answer: []string{"ns.dns.cluster.local. 30 IN A 10.96.0.10"}},
		{name: "dns label", qname: "dns.cluster.local.", qtype: mdns.TypeA, rcode: nxdomain},
		{name: "MX of a service", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypeMX},
		{name: "MX of nothing", qname: "nope.ns1.svc.cluster.local.", qtype: mdns.TypeMX, rcode: nxdomain},
		{name: "PTR in the zone", qname: "web.ns1.svc.cluster.local.", qtype: mdns.TypePTR},
		{name: "PTR of a ClusterIP", qname: "20.0.96.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"20.0.96.10.in-addr.arpa. 30 IN PTR web.ns1.svc.cluster.local."}},
		{name: "PTR of an IPv6 ClusterIP", qname: "0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", qtype: mdns.TypePTR,
			answer: []string{"0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 30 IN PTR dual.ns1.svc.cluster.local."}},
		{name: "PTR of a headless endpoint", qname: "5.0.244.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"5.0.244.10.in-addr.arpa. 30 IN PTR db-0.db.ns1.svc.cluster.local."}},
		{name: "PTR of an endpoint without hostname", qname: "9.0.244.10.in-addr.arpa.", qtype: mdns.TypePTR,
			answer: []string{"9.0.244.10.in-addr.arpa. 30 IN PTR 10-244-0-9.web.ns1.svc.cluster.local."}},
		{name: "PTR of a not-ready endpoint", qname: "7.0.244.10.in-addr.arpa.", qtype: mdns.TypePTR, forwarded: true},
		{name: "A in a reverse zone", qname: "20.0.96.10.in-addr.arpa.", qtype: mdns.TypeA, forwarded: true},
		{name: "outside the zones", qname: "example.com.", qtype: mdns.TypeA, forwarded: true},
	}
	r := testResolver(t, nil, fixtures()...)
	r.upstream = fakeUpstream
	s := &Server{res: r, fwd: &forwarder{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := s.answer(context.Background(), question(tt.qname, tt.qtype), "udp")
			if tt.forwarded {
				if m.Rcode != servfail || m.Authoritative {
					t.Fatalf("want a forwarded answer (SERVFAIL, no upstreams), got %v", m)
				}
				return
			}
			if m.Rcode != tt.rcode {
				t.Fatalf("rcode = %s, want %s\n%v", mdns.RcodeToString[m.Rcode], mdns.RcodeToString[tt.rcode], m)
			}
			if !m.Authoritative {
				t.Errorf("answer is not authoritative")
			}
			if got := rrs(m.Answer); !slices.Equal(got, tt.answer) {
				t.Errorf("answer = %q, want %q", got, tt.answer)
			}
			if got := rrs(m.Extra); !slices.Equal(got, tt.extra) {
				t.Errorf("extra = %q, want %q", got, tt.extra)
			}
			negative := len(tt.answer) == 0
			if negative {
				if len(m.Ns) != 1 {
					t.Fatalf("want the SOA in the authority section, got %v", m.Ns)
				}
				want := fmt.Sprintf("cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. %d 7200 1800 86400 30", fixtureTime.Unix())
				if got := rrs(m.Ns)[0]; got != want {
					t.Errorf("SOA = %q, want %q", got, want)
				}
			}
		})
	}
}

func TestAnswerPodModeDisabled(t *testing.T) {
	r := testResolver(t, func(c *Config) { c.PodMode = PodModeDisabled }, fixtures()...)
	m := r.serveCluster(context.Background(), question("10-244-3-4.ns1.pod.cluster.local.", mdns.TypeA))
	if m.Rcode != nxdomain {
		t.Errorf("rcode = %s, want NXDOMAIN", mdns.RcodeToString[m.Rcode])
	}
}

func TestAnswerUnsynced(t *testing.T) {
	r := testResolver(t, nil, fixtures()...)
	r.store.hasSynced = func() bool { return false }
	m := r.serveCluster(context.Background(), question("nope.ns1.svc.cluster.local.", mdns.TypeA))
	if m.Rcode != servfail {
		t.Errorf("rcode = %s, want SERVFAIL before the caches synced", mdns.RcodeToString[m.Rcode])
	}
	// What is already known is answered.
	m = r.serveCluster(context.Background(), question("web.ns1.svc.cluster.local.", mdns.TypeA))
	if m.Rcode != noerror || len(m.Answer) != 1 {
		t.Errorf("got %v, want the ClusterIP", m)
	}
}

func TestAnswerExternalNameUpstreamFails(t *testing.T) {
	r := testResolver(t, nil, fixtures()...)
	r.upstream = func(context.Context, string, uint16) (*mdns.Msg, error) { return nil, errors.New("timeout") }
	m := r.serveCluster(context.Background(), question("ext.ns1.svc.cluster.local.", mdns.TypeA))
	if m.Rcode != noerror || len(m.Answer) != 0 || len(m.Ns) != 1 {
		t.Errorf("got %v, want NODATA with the SOA (CoreDNS drops the CNAME it cannot complete)", m)
	}
}

func TestAnswerOtherDomainAndTTL(t *testing.T) {
	r := testResolver(t, func(c *Config) { c.ClusterDomain = "Example.Org."; c.TTL = 1 },
		namespace("ns1"), service("ns1", "web", []string{"10.96.0.20"}))
	m := r.serveCluster(context.Background(), question("web.ns1.svc.example.org.", mdns.TypeA))
	want := []string{"web.ns1.svc.example.org. 5 IN A 10.96.0.20"}
	if got := rrs(m.Answer); !slices.Equal(got, want) {
		t.Errorf("answer = %q, want %q (TTL raised to CoreDNS's minimum)", got, want)
	}
}
