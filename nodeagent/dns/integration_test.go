package dns_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/dns"
)

// upstreamAddr is the fake upstream resolver's address: resolv.conf cannot name a port, so it
// takes port 53 on a loopback address of the test's network namespace.
const upstreamAddr = "127.0.0.53:53"

func exchange(t *testing.T, addr, network, name string, qtype uint16, edns bool) *mdns.Msg {
	t.Helper()
	req := new(mdns.Msg)
	req.SetQuestion(name, qtype)
	if edns {
		req.SetEdns0(4096, false)
	}
	c := &mdns.Client{Net: network, Timeout: 5 * time.Second}
	resp, _, err := c.Exchange(req, addr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, mdns.TypeToString[qtype], network, err)
	}
	return resp
}

// sortedRRs renders a section as sorted single-space separated text.
func sortedRRs(in []mdns.RR) []string {
	var out []string
	for _, rr := range in {
		if rr.Header().Rrtype == mdns.TypeOPT {
			continue
		}
		out = append(out, strings.Join(strings.Fields(rr.String()), " "))
	}
	slices.Sort(out)
	return out
}

// expect polls until the answer to name/qtype has rcode and exactly the records want.
func expect(t *testing.T, addr, name string, qtype uint16, rcode int, want ...string) *mdns.Msg {
	t.Helper()
	slices.Sort(want)
	var last *mdns.Msg
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 20*time.Second, true, func(context.Context) (bool, error) {
		last = exchange(t, addr, "udp", name, qtype, true)
		return last.Rcode == rcode && slices.Equal(sortedRRs(last.Answer), want), nil
	})
	if err != nil {
		t.Fatalf("%s %s: got %v\nwant rcode %s and %q", name, mdns.TypeToString[qtype], last, mdns.RcodeToString[rcode], want)
	}
	return last
}

func createService(t *testing.T, c kubernetes.Interface, svc *corev1.Service) *corev1.Service {
	t.Helper()
	out, err := c.CoreV1().Services(svc.Namespace).Create(context.Background(), svc, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating service %s: %v", svc.Name, err)
	}
	return out
}

func TestServer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for the fake upstream on port 53: run inside hack/netns-run.sh")
	}
	ctx := context.Background()
	client := srv.Client(t)
	ns := srv.Namespace(t)

	upstream := startUpstream(t, upstreamAddr)
	resolvConf := filepath.Join(t.TempDir(), "resolv.conf")
	// Nothing answers on 127.0.0.1:53 in the test's namespace: forwarding fails over to the
	// fake upstream whichever it tries first.
	conf := "search example.com\nnameserver 127.0.0.53\nnameserver 127.0.0.1\n"
	if err := os.WriteFile(resolvConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}

	web := createService(t, client, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "web"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{
			{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80},
			{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: 9090},
		}},
	})
	createService(t, client, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "db"},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone,
			Ports: []corev1.ServicePort{{Name: "pg", Protocol: corev1.ProtocolTCP, Port: 5432}}},
	})
	createService(t, client, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "ext"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "www.example.com"},
	})
	_, err := client.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "db-1", Labels: map[string]string{discoveryv1.LabelServiceName: "db"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Ports:       []discoveryv1.EndpointPort{{Name: ptr.To("pg"), Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To[int32](5432)}},
		Endpoints: []discoveryv1.Endpoint{
			{Addresses: []string{"10.244.0.5"}, Hostname: ptr.To("db-0"), Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}},
			{Addresses: []string{"10.244.0.6"}, Hostname: ptr.To("db-1"), Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true)}},
			{Addresses: []string{"10.244.0.7"}, Hostname: ptr.To("db-2"), Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(false)}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	server, err := dns.New(client, dns.Config{ListenAddr: "127.0.0.1:0", ResolvConf: resolvConf})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- server.Run(runCtx) }()
	t.Cleanup(func() { stop(); <-done })
	select {
	case <-server.Ready():
	case err := <-done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server not ready")
	}
	addr := server.Addr()
	zone := ns + ".svc.cluster.local."
	webIP := web.Spec.ClusterIP

	t.Run("ClusterIP A over UDP and TCP", func(t *testing.T) {
		expect(t, addr, "web."+zone, mdns.TypeA, mdns.RcodeSuccess, fmt.Sprintf("web.%s 30 IN A %s", zone, webIP))
		resp := exchange(t, addr, "tcp", "web."+zone, mdns.TypeA, false)
		if got := sortedRRs(resp.Answer); len(got) != 1 || !resp.Authoritative {
			t.Errorf("TCP answer %v", resp)
		}
	})
	t.Run("SRV of a named port", func(t *testing.T) {
		resp := expect(t, addr, "_http._tcp.web."+zone, mdns.TypeSRV, mdns.RcodeSuccess,
			fmt.Sprintf("_http._tcp.web.%s 30 IN SRV 0 100 80 web.%s", zone, zone))
		if got, want := sortedRRs(resp.Extra), []string{fmt.Sprintf("web.%s 30 IN A %s", zone, webIP)}; !slices.Equal(got, want) {
			t.Errorf("additional = %q, want %q", got, want)
		}
	})
	t.Run("headless", func(t *testing.T) {
		expect(t, addr, "db."+zone, mdns.TypeA, mdns.RcodeSuccess,
			"db."+zone+" 30 IN A 10.244.0.5", "db."+zone+" 30 IN A 10.244.0.6")
		expect(t, addr, "db-1.db."+zone, mdns.TypeA, mdns.RcodeSuccess, "db-1.db."+zone+" 30 IN A 10.244.0.6")
		expect(t, addr, "db-2.db."+zone, mdns.TypeA, mdns.RcodeNameError)
		expect(t, addr, "_pg._tcp.db."+zone, mdns.TypeSRV, mdns.RcodeSuccess,
			"_pg._tcp.db."+zone+" 30 IN SRV 0 50 5432 db-0.db."+zone,
			"_pg._tcp.db."+zone+" 30 IN SRV 0 50 5432 db-1.db."+zone)
	})
	t.Run("PTR", func(t *testing.T) {
		rev, err := mdns.ReverseAddr(webIP)
		if err != nil {
			t.Fatal(err)
		}
		expect(t, addr, rev, mdns.TypePTR, mdns.RcodeSuccess, rev+" 30 IN PTR web."+zone)
		expect(t, addr, "5.0.244.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeSuccess, "5.0.244.10.in-addr.arpa. 30 IN PTR db-0.db."+zone)
	})
	t.Run("ExternalName", func(t *testing.T) {
		expect(t, addr, "ext."+zone, mdns.TypeCNAME, mdns.RcodeSuccess, "ext."+zone+" 30 IN CNAME www.example.com.")
		expect(t, addr, "ext."+zone, mdns.TypeA, mdns.RcodeSuccess,
			"ext."+zone+" 30 IN CNAME www.example.com.", "www.example.com. 30 IN A 192.0.2.53")
	})
	t.Run("pod", func(t *testing.T) {
		name := "10-244-1-5." + ns + ".pod.cluster.local."
		expect(t, addr, name, mdns.TypeA, mdns.RcodeSuccess, name+" 30 IN A 10.244.1.5")
	})
	t.Run("NXDOMAIN and NODATA", func(t *testing.T) {
		resp := expect(t, addr, "nope."+zone, mdns.TypeA, mdns.RcodeNameError)
		if len(resp.Ns) != 1 || resp.Ns[0].Header().Rrtype != mdns.TypeSOA || resp.Ns[0].Header().Name != "cluster.local." {
			t.Errorf("authority = %v, want the zone's SOA", resp.Ns)
		}
		resp = expect(t, addr, "web."+zone, mdns.TypeAAAA, mdns.RcodeSuccess)
		if len(resp.Ns) != 1 || resp.Ns[0].Header().Rrtype != mdns.TypeSOA {
			t.Errorf("authority = %v, want the zone's SOA", resp.Ns)
		}
		expect(t, addr, "web.no-such-namespace.svc.cluster.local.", mdns.TypeA, mdns.RcodeNameError)
	})
	t.Run("forwarded", func(t *testing.T) {
		expect(t, addr, "www.example.com.", mdns.TypeA, mdns.RcodeSuccess, "www.example.com. 30 IN A 192.0.2.53")
		expect(t, addr, "nx.example.com.", mdns.TypeA, mdns.RcodeNameError)
		// A reverse address the cluster does not know falls through to the upstream.
		expect(t, addr, "9.9.244.10.in-addr.arpa.", mdns.TypePTR, mdns.RcodeNameError)

		udp := exchange(t, addr, "udp", "big.example.com.", mdns.TypeA, false)
		if !udp.Truncated || len(udp.Answer) >= 100 {
			t.Errorf("plain UDP answer of %d records, truncated %v: want it truncated", len(udp.Answer), udp.Truncated)
		}
		before := upstream.seen("tcp")
		tcp := exchange(t, addr, "tcp", "big.example.com.", mdns.TypeA, false)
		if tcp.Truncated || len(tcp.Answer) != 100 {
			t.Errorf("TCP answer of %d records, truncated %v: want all 100", len(tcp.Answer), tcp.Truncated)
		}
		if upstream.seen("tcp") <= before {
			t.Errorf("a TCP query was not forwarded over TCP")
		}
	})
	t.Run("follows changes", func(t *testing.T) {
		late := createService(t, client, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "late"},
			Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 8080}}},
		})
		expect(t, addr, "late."+zone, mdns.TypeA, mdns.RcodeSuccess, fmt.Sprintf("late.%s 30 IN A %s", zone, late.Spec.ClusterIP))
		if err := client.CoreV1().Services(ns).Delete(ctx, "late", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		expect(t, addr, "late."+zone, mdns.TypeA, mdns.RcodeNameError)
	})
	t.Run("address in use", func(t *testing.T) {
		second, err := dns.New(client, dns.Config{ListenAddr: addr, ResolvConf: resolvConf})
		if err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() { errc <- second.Run(ctx) }()
		select {
		case err := <-errc:
			if err == nil {
				t.Errorf("Run on a taken address returned no error")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run on a taken address did not return")
		}
	})
	t.Run("shutdown", func(t *testing.T) {
		stop()
		select {
		case err := <-done:
			done <- err // for the cleanup
			if err != nil {
				t.Errorf("Run returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("still listening on %s after shutdown", addr)
		}
	})
}
