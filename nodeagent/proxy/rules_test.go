package proxy

import (
	"net"
	"regexp"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

// hashRE matches the hash in per-Service chain names, which tests write as HASH.
var hashRE = regexp.MustCompile(`[A-Z2-7]{8}-ns1/`)

// dumpLines is the fake table as "add ..." lines without the family and table name, with
// chain hashes replaced by HASH.
func dumpLines(dump string) []string {
	dump = hashRE.ReplaceAllString(dump, "HASH-ns1/")
	var lines []string
	for _, l := range strings.Split(dump, "\n") {
		l = strings.Replace(l, " ip skiff-proxy ", " ", 1)
		lines = append(lines, strings.Replace(l, " ip6 skiff-proxy ", " ", 1))
	}
	return lines
}

func TestServiceRules(t *testing.T) {
	const (
		webChain = "service-HASH-ns1/web/tcp/p80"
		webLocal = "local-HASH-ns1/web/tcp/p80"
		webExt   = "external-HASH-ns1/web/tcp/p80"
	)
	tests := []struct {
		name     string
		cfg      func(*Config)
		services []*v1.Service
		slices   []*discovery.EndpointSlice
		cidrs    []string
		want     []string // lines of the dump
		notWant  []string // substrings no line may contain
	}{{
		name:     "ClusterIP with one endpoint DNATs to it",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element cluster-ips { 10.96.0.10 }",
			"add element service-ips { 10.96.0.10 . tcp . 80 : goto " + webChain + " }",
			"add rule " + webChain + " meta l4proto tcp dnat to 10.244.1.5:8080",
		},
		notWant: []string{"element no-endpoint-services {", "element hairpin-connections {", webExt},
	}, {
		name:     "ClusterIP with endpoints picks one at random",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.6", node: "node-b"}, ep{ip: "10.244.1.5", node: "node-b"}, ep{ip: "10.244.0.5", node: testNode})},
		want: []string{
			"add rule " + webChain + " meta l4proto tcp dnat ip addr . port to numgen random mod 3 map { 0 : 10.244.0.5 . 8080 , 1 : 10.244.1.5 . 8080 , 2 : 10.244.1.6 . 8080 }",
			// only the local endpoint may be reached through the Service from itself
			"add element hairpin-connections { 10.244.0.5 . 10.244.0.5 . tcp . 8080 }",
		},
		notWant: []string{"element hairpin-connections { 10.244.1."},
	}, {
		name:     "no endpoints rejects",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		want: []string{
			"add element cluster-ips { 10.96.0.10 }",
			"add element no-endpoint-services { 10.96.0.10 . tcp . 80 comment \"ns1/web:p80\" : goto reject-chain }",
		},
		notWant: []string{"element service-ips {", webChain},
	}, {
		name:     "not-ready endpoints are not used",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b", notReady: true})},
		want:     []string{"add element no-endpoint-services { 10.96.0.10 . tcp . 80 comment \"ns1/web:p80\" : goto reject-chain }"},
		notWant:  []string{"10.244.1.5"},
	}, {
		name:     "terminating endpoints are not used while others are ready",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b", terminating: true}, ep{ip: "10.244.1.6", node: "node-b"})},
		want:     []string{"add rule " + webChain + " meta l4proto tcp dnat to 10.244.1.6:8080"},
		notWant:  []string{"10.244.1.5"},
	}, {
		name:     "serving terminating endpoints are used when none is ready",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		slices: []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b", terminating: true},
			ep{ip: "10.244.1.6", node: "node-b", terminating: true, down: true}, ep{ip: "10.244.1.7", node: "node-b", notReady: true})},
		want:    []string{"add rule " + webChain + " meta l4proto tcp dnat to 10.244.1.5:8080"},
		notWant: []string{"10.244.1.6", "10.244.1.7", "element no-endpoint-services {"},
	}, {
		name:     "NodePort goes through the external chain, masqueraded",
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080))},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element service-nodeports { tcp . 30080 : goto " + webExt + " }",
			"add rule " + webExt + " mark set mark or 0x00004000 comment \"masquerade\"",
			"add rule " + webExt + " goto " + webChain,
			"add rule services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports",
		},
		notWant: []string{"add set nodeport-ips"},
	}, {
		name:     "NodePort without endpoints rejects",
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080))},
		want:     []string{"add element no-endpoint-nodeports { tcp . 30080 comment \"ns1/web:p80\" : goto reject-chain }"},
		notWant:  []string{"element service-nodeports {", webExt},
	}, {
		name: "NodePort on given addresses only",
		cfg: func(c *Config) {
			c.NodePortIPs = []net.IP{net.ParseIP("192.168.1.10"), net.ParseIP("127.0.0.1"), net.ParseIP("fd00::1")}
		},
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080))},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element nodeport-ips { 192.168.1.10 }",
			"add rule services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports",
			"add rule nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports",
		},
		notWant: []string{"nodeport-ips { 127.0.0.1 }", "fd00::1", "fib daddr type local"},
	}, {
		name:     "LoadBalancer ingress IPs and externalIPs",
		services: []*v1.Service{svc("web", "10.96.0.10", loadBalancer(30080, "192.0.2.5"), externalIPs("203.0.113.1", "fd00::5"))},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element service-ips { 192.0.2.5 . tcp . 80 : goto " + webExt + " }",
			"add element service-ips { 203.0.113.1 . tcp . 80 : goto " + webExt + " }",
			"add element service-nodeports { tcp . 30080 : goto " + webExt + " }",
		},
		notWant: []string{"fd00::5", "element firewall-ips {"},
	}, {
		name: "LoadBalancer ingress in Proxy mode is not a VIP",
		services: []*v1.Service{svc("web", "10.96.0.10", loadBalancer(30080, "192.0.2.5"), func(s *v1.Service) {
			s.Status.LoadBalancer.Ingress[0].IPMode = ptr.To(v1.LoadBalancerIPModeProxy)
		})},
		slices:  []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		notWant: []string{"192.0.2.5"},
	}, {
		name: "loadBalancerSourceRanges firewall the LB IPs, and admit them when a range holds the node",
		cfg:  func(c *Config) { c.NodeIPs = []net.IP{net.ParseIP("198.51.100.7")} },
		services: []*v1.Service{svc("web", "10.96.0.10", loadBalancer(30080, "192.0.2.5"), func(s *v1.Service) {
			s.Spec.LoadBalancerSourceRanges = []string{" 198.51.100.0/24", "fd00::/64"}
		})},
		slices: []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element firewall-ips { 192.0.2.5 . tcp . 80 : goto firewall-HASH-ns1/web/tcp/p80 }",
			"add rule firewall-HASH-ns1/web/tcp/p80 ip saddr != { 198.51.100.0/24, 192.0.2.5 } drop",
		},
	}, {
		name: "a zero-length source range admits everything",
		services: []*v1.Service{svc("web", "10.96.0.10", loadBalancer(30080, "192.0.2.5"), func(s *v1.Service) {
			s.Spec.LoadBalancerSourceRanges = []string{"198.51.100.0/24", "0.0.0.0/0"}
		})},
		slices:  []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		notWant: []string{"element firewall-ips {", "firewall-HASH"},
	}, {
		name:     "ClientIP affinity records and follows the choice per endpoint",
		services: []*v1.Service{svc("web", "10.96.0.10", affinity(300))},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"}, ep{ip: "10.244.1.6", node: "node-b"})},
		want: []string{
			"add set affinity-HASH-ns1/web/tcp/p80__10.244.1.5/8080 { type ipv4_addr ; flags dynamic,timeout ; timeout 300s ; }",
			"add rule " + webChain + " ip saddr @affinity-HASH-ns1/web/tcp/p80__10.244.1.5/8080 goto endpoint-HASH-ns1/web/tcp/p80__10.244.1.5/8080",
			"add rule " + webChain + " numgen random mod 2 vmap { 0 : goto endpoint-HASH-ns1/web/tcp/p80__10.244.1.5/8080 , 1 : goto endpoint-HASH-ns1/web/tcp/p80__10.244.1.6/8080 }",
			"add rule endpoint-HASH-ns1/web/tcp/p80__10.244.1.6/8080 update @affinity-HASH-ns1/web/tcp/p80__10.244.1.6/8080 { ip saddr }",
			"add rule endpoint-HASH-ns1/web/tcp/p80__10.244.1.6/8080 meta l4proto tcp dnat to 10.244.1.6:8080",
		},
		notWant: []string{"numgen random mod 2 map"},
	}, {
		name:     "internalTrafficPolicy Local uses local endpoints only",
		services: []*v1.Service{svc("web", "10.96.0.10", internalLocal)},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"}, ep{ip: "10.244.0.5", node: testNode})},
		want: []string{
			"add element service-ips { 10.96.0.10 . tcp . 80 : goto " + webLocal + " }",
			"add rule " + webLocal + " meta l4proto tcp dnat to 10.244.0.5:8080",
		},
		notWant: []string{"10.244.1.5", webChain},
	}, {
		name:     "internalTrafficPolicy Local without local endpoints drops",
		services: []*v1.Service{svc("web", "10.96.0.10", internalLocal)},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want:     []string{"add element no-endpoint-services { 10.96.0.10 . tcp . 80 comment \"ns1/web:p80\" : drop }"},
		notWant:  []string{"element service-ips {"},
	}, {
		name:     "externalTrafficPolicy Local keeps the client address; pods and the node short-circuit",
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080), externalLocal)},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"}, ep{ip: "10.244.0.5", node: testNode})},
		want: []string{
			"add element service-ips { 10.96.0.10 . tcp . 80 : goto " + webChain + " }",
			"add rule " + webExt + " ip saddr 10.244.0.0/16 goto " + webChain + " comment \"short-circuit pod traffic\"",
			"add rule " + webExt + " fib saddr type local mark set mark or 0x00004000 comment \"masquerade local traffic\"",
			"add rule " + webExt + " fib saddr type local goto " + webChain + " comment \"short-circuit local traffic\"",
			"add rule " + webExt + " goto " + webLocal,
			"add rule " + webLocal + " meta l4proto tcp dnat to 10.244.0.5:8080",
			"add rule " + webChain + " meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.0.5 . 8080 , 1 : 10.244.1.5 . 8080 }",
		},
		notWant: []string{"comment \"masquerade\""},
	}, {
		name:     "externalTrafficPolicy Local without local endpoints drops external traffic only",
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080), externalLocal)},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.1.5", node: "node-b"})},
		want: []string{
			"add element service-ips { 10.96.0.10 . tcp . 80 : goto " + webChain + " }",
			"add element service-nodeports { tcp . 30080 : goto " + webExt + " }",
			"add element no-endpoint-nodeports { tcp . 30080 comment \"ns1/web:p80\" : drop }",
		},
		notWant: []string{"goto " + webLocal, "add chain " + webLocal},
	}, {
		name:     "MasqueradeAll masquerades all ClusterIP traffic",
		cfg:      func(c *Config) { c.MasqueradeAll = true },
		services: []*v1.Service{svc("web", "10.96.0.10")},
		want:     []string{"add rule services ip daddr @cluster-ips mark set mark or 0x00004000 comment \"masquerade all clusterIP traffic\""},
		notWant:  []string{"saddr != 10.244.0.0/16"},
	}, {
		name:     "without a cluster CIDR nothing is masqueraded for coming from outside",
		cfg:      func(c *Config) { c.ClusterCIDRs = nil },
		services: []*v1.Service{svc("web", "10.96.0.10", nodePort(30080), externalLocal)},
		slices:   []*discovery.EndpointSlice{slice("web", ep{ip: "10.244.0.5", node: testNode})},
		notWant:  []string{"masquerade clusterIP traffic from outside cluster", "short-circuit pod traffic"},
		want:     []string{"add rule services ip daddr . meta l4proto . th dport vmap @service-ips"},
	}, {
		name: "headless, ExternalName and other proxies' Services are skipped",
		services: []*v1.Service{svc("headless", "None"), svc("ext", "", func(s *v1.Service) { s.Spec.Type = v1.ServiceTypeExternalName }),
			svc("other", "10.96.0.12", func(s *v1.Service) { s.Labels = map[string]string{labelServiceProxyName: "x"} })},
		notWant: []string{"add element"},
	}, {
		name:     "ServiceCIDRs drop unallocated ClusterIPs",
		services: []*v1.Service{svc("web", "10.96.0.10")},
		cidrs:    []string{"10.96.0.0/16", "fd00:10::/108", "10.100.0.0/16"},
		want:     []string{"add rule cluster-ips-check ip daddr { 10.96.0.0/16, 10.100.0.0/16 } drop comment \"Drop traffic to unallocated ClusterIPs\""},
		notWant:  []string{"fd00:10::"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			fake := build(t, cfg, &snapshot{services: tt.services, endpointSlices: tt.slices, serviceCIDRs: tt.cidrs})
			lines := dumpLines(fake.Dump())
			have := map[string]bool{}
			for _, l := range lines {
				have[l] = true
			}
			for _, w := range tt.want {
				if !have[w] {
					t.Errorf("missing line %q in\n%s", w, strings.Join(lines, "\n"))
				}
			}
			for _, nw := range tt.notWant {
				for _, l := range lines {
					if strings.Contains(l, nw) {
						t.Errorf("unexpected %q in line %q", nw, l)
					}
				}
			}
		})
	}
}

func TestIPv6Rules(t *testing.T) {
	cfg := testConfig()
	cfg.IPFamily = v1.IPv6Protocol
	cfg.ClusterCIDRs = []string{"10.244.0.0/16", "fd00:244::/64"}
	dual := func(name, v4, v6 string) *v1.Service {
		return svc(name, v4, nodePort(30080), func(s *v1.Service) { s.Spec.ClusterIPs = []string{v4, v6} })
	}
	v6slice := func(service string, eps ...ep) *discovery.EndpointSlice {
		s := slice(service, eps...)
		s.AddressType = discovery.AddressTypeIPv6
		return s
	}
	fake := build(t, cfg, &snapshot{
		services: []*v1.Service{dual("web", "10.96.0.10", "fd00:10::10"), dual("one", "10.96.0.11", "fd00:10::11")},
		endpointSlices: []*discovery.EndpointSlice{
			v6slice("web", ep{ip: "fd00:244::5", node: testNode}, ep{ip: "fd00:244::6", node: "node-b"}),
			v6slice("one", ep{ip: "fd00:244::7", node: "node-b"}),
			slice("one", ep{ip: "10.244.0.7", node: testNode}),
		},
	})
	lines := dumpLines(fake.Dump())
	want := []string{
		"add element service-ips { fd00:10::10 . tcp . 80 : goto service-HASH-ns1/web/tcp/p80 }",
		"add rule service-HASH-ns1/web/tcp/p80 meta l4proto tcp dnat ip6 addr . port to numgen random mod 2 map { 0 : fd00:244::5 . 8080 , 1 : fd00:244::6 . 8080 }",
		"add rule service-HASH-ns1/one/tcp/p80 meta l4proto tcp dnat to [fd00:244::7]:8080",
		"add element hairpin-connections { fd00:244::5 . fd00:244::5 . tcp . 8080 }",
		"add rule services ip6 daddr @cluster-ips ip6 saddr != fd00:244::/64 mark set mark or 0x00004000 comment \"masquerade clusterIP traffic from outside cluster\"",
		"add rule services fib daddr type local ip6 daddr != ::1 meta l4proto . th dport vmap @service-nodeports",
		"add set cluster-ips { type ipv6_addr ; comment \"Active ClusterIPs\" ; }",
	}
	have := map[string]bool{}
	for _, l := range lines {
		have[l] = true
		if strings.Contains(l, "10.96.") || strings.Contains(l, "10.244.") {
			t.Errorf("IPv4 address in the IPv6 table: %q", l)
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("missing line %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
}
