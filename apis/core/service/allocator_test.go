package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sync"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	netutils "k8s.io/utils/net"
)

// testStorage starts an etcd for the test and returns raw storage for IPAddresses (under
// /ipaddresses) and the node port RangeAllocation (at nodePortsKey).
func testStorage(t *testing.T) (ips, ports storage.Interface) {
	t.Helper()
	endpoint := runEtcd(t)
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, networkingv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	codecs := serializer.NewCodecFactory(scheme)
	config := storagebackend.Config{
		Type:      storagebackend.StorageTypeETCD3,
		Prefix:    "/registry",
		Transport: storagebackend.TransportConfig{ServerList: []string{endpoint}},
		Codec:     codecs.LegacyCodec(corev1.SchemeGroupVersion, networkingv1.SchemeGroupVersion),
	}
	ips, destroyIPs, err := generic.NewRawStorage(config.ForResource(networkingv1.Resource("ipaddresses")),
		func() runtime.Object { return &networkingv1.IPAddress{} },
		func() runtime.Object { return &networkingv1.IPAddressList{} }, "/ipaddresses")
	if err != nil {
		t.Fatal(err)
	}
	ports, destroyPorts, err := generic.NewRawStorage(config.ForResource(corev1.Resource("servicenodeportallocations")),
		func() runtime.Object { return &corev1.RangeAllocation{} }, nil, nodePortsKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { destroyIPs(); destroyPorts() })
	return ips, ports
}

// runEtcd starts a throw-away etcd member on loopback and returns its client URL.
func runEtcd(t *testing.T) string {
	t.Helper()
	var urls []url.URL
	for range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, url.URL{Scheme: "http", Host: l.Addr().String()})
		l.Close()
	}
	cfg := embed.NewConfig()
	cfg.Dir = t.TempDir()
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "error"
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = urls[:1], urls[:1]
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = urls[1:], urls[1:]
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		t.Fatal("etcd did not start")
	}
	return urls[0].String()
}

func testService(name string) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
}

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, cidr, err := netutils.ParseCIDRSloppy(s)
	if err != nil {
		t.Fatal(err)
	}
	return cidr
}

func TestAllocators(t *testing.T) {
	ipStore, portStore := testStorage(t)
	ctx := context.Background()

	t.Run("ClusterIPs", func(t *testing.T) {
		alloc, err := NewIPAllocator(ipStore, "/ipaddresses", mustCIDR(t, "10.96.0.0/12"))
		if err != nil {
			t.Fatal(err)
		}
		first := net.ParseIP("10.96.0.1")
		if err := alloc.Allocate(ctx, testService("kubernetes"), first, false); err != nil {
			t.Fatal(err)
		}
		if err := alloc.Allocate(ctx, testService("other"), first, false); !errors.Is(err, ErrAllocated) {
			t.Fatalf("second allocation of %s: %v", first, err)
		}
		for _, tc := range []struct {
			ip   string
			want string
		}{
			{"10.96.0.0", "the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"},
			{"10.111.255.255", "not in the valid range"},
			{"192.168.1.1", ErrMismatchedNetwork.Error()},
			{"fd00::1", ErrMismatchedNetwork.Error()},
		} {
			err := alloc.Allocate(ctx, testService("x"), net.ParseIP(tc.ip), false)
			if err == nil || !contains(err.Error(), tc.want) {
				t.Errorf("Allocate(%s) = %v, want %q", tc.ip, err, tc.want)
			}
		}
		// Dynamic allocation avoids the static band (the first 256 addresses of a /12).
		ip, err := alloc.AllocateNext(ctx, testService("dynamic"), false)
		if err != nil {
			t.Fatal(err)
		}
		if !alloc.CIDR().Contains(ip) || (ip[len(ip)-2] == 0 && ip.To4()[1] == 96) {
			t.Errorf("dynamic IP %s", ip)
		}
		if !alloc.Has(ctx, ip) {
			t.Errorf("%s not recorded", ip)
		}
		// Release only frees what the service holds.
		if err := alloc.Release(ctx, testService("someone-else"), ip); err != nil || !alloc.Has(ctx, ip) {
			t.Errorf("release by another service freed %s (%v)", ip, err)
		}
		if err := alloc.Release(ctx, testService("dynamic"), ip); err != nil || alloc.Has(ctx, ip) {
			t.Errorf("release: %v, still held %v", err, alloc.Has(ctx, ip))
		}
		// Dry runs reserve nothing; dynamic ones report the network address, as upstream.
		if ip, err := alloc.AllocateNext(ctx, testService("dry"), true); err != nil || !ip.Equal(net.ParseIP("10.96.0.0")) {
			t.Errorf("dry-run AllocateNext = %v, %v", ip, err)
		}
		if err := alloc.Allocate(ctx, testService("dry"), net.ParseIP("10.96.5.5"), true); err != nil || alloc.Has(ctx, net.ParseIP("10.96.5.5")) {
			t.Errorf("dry-run Allocate: %v", err)
		}
	})

	t.Run("small range fills up", func(t *testing.T) {
		alloc, err := NewIPAllocator(ipStore, "/ipaddresses", mustCIDR(t, "192.168.7.0/29"))
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i := range 6 {
			ip, err := alloc.AllocateNext(ctx, testService(fmt.Sprint("s", i)), false)
			if err != nil {
				t.Fatalf("allocation %d: %v", i, err)
			}
			if seen[ip.String()] || ip.String() == "192.168.7.0" || ip.String() == "192.168.7.7" {
				t.Fatalf("bad or duplicate IP %s", ip)
			}
			seen[ip.String()] = true
		}
		if _, err := alloc.AllocateNext(ctx, testService("full"), false); !errors.Is(err, ErrFull) {
			t.Fatalf("full range: %v", err)
		}
	})

	t.Run("NodePorts", func(t *testing.T) {
		alloc := NewPortAllocator(portStore, nodePortsKey, utilnet.PortRange{Base: 30000, Size: 2768})
		if err := alloc.Allocate(ctx, 30080); err != nil {
			t.Fatal(err)
		}
		if err := alloc.Allocate(ctx, 30080); !errors.Is(err, ErrPortAllocated) {
			t.Fatalf("second allocation: %v", err)
		}
		if err := alloc.Allocate(ctx, 80); err == nil || err.Error() != "provided port is not in the valid range. The range of valid ports is 30000-32767" {
			t.Fatalf("out of range: %v", err)
		}
		port, err := alloc.AllocateNext(ctx)
		if err != nil || port < 30086 || port > 32767 {
			t.Fatalf("AllocateNext = %d, %v (want above the static band)", port, err)
		}
		// A new allocator over the same storage (a restart) sees the allocations.
		restarted := NewPortAllocator(portStore, nodePortsKey, utilnet.PortRange{Base: 30000, Size: 2768})
		if !restarted.Has(ctx, 30080) || !restarted.Has(ctx, port) {
			t.Fatal("allocations lost across allocators")
		}
		if err := restarted.Release(ctx, 30080); err != nil {
			t.Fatal(err)
		}
		// The first allocator's cached copy is stale; the compare-and-swap catches it.
		if err := alloc.Allocate(ctx, 30080); err != nil {
			t.Fatalf("allocation after release elsewhere: %v", err)
		}
		// A changed range keeps the allocations that still fit.
		narrowed := NewPortAllocator(portStore, nodePortsKey, utilnet.PortRange{Base: 30050, Size: 100})
		if !narrowed.Has(ctx, 30080) {
			t.Fatal("allocation lost when the range changed")
		}
	})

	t.Run("small port range fills up", func(t *testing.T) {
		_, store := testStorage(t)
		alloc := NewPortAllocator(store, nodePortsKey, utilnet.PortRange{Base: 40000, Size: 20})
		seen := map[int]bool{}
		for range 20 {
			port, err := alloc.AllocateNext(ctx)
			if err != nil || seen[port] {
				t.Fatalf("AllocateNext = %d, %v", port, err)
			}
			seen[port] = true
		}
		if _, err := alloc.AllocateNext(ctx); !errors.Is(err, ErrFull) {
			t.Fatalf("full: %v", err)
		}
	})
}

// TestAllocatorsConcurrent runs 200 concurrent allocations through two allocators per kind
// sharing storage (as two apiservers would) and requires distinct results.
func TestAllocatorsConcurrent(t *testing.T) {
	ipStore, portStore := testStorage(t)
	ctx := context.Background()
	cidr := mustCIDR(t, "10.96.0.0/12")
	ipAllocs := make([]*IPAllocator, 2)
	portAllocs := make([]*PortAllocator, 2)
	for i := range 2 {
		var err error
		if ipAllocs[i], err = NewIPAllocator(ipStore, "/ipaddresses", cidr); err != nil {
			t.Fatal(err)
		}
		portAllocs[i] = NewPortAllocator(portStore, nodePortsKey, utilnet.PortRange{Base: 30000, Size: 2768})
	}
	const n = 200
	ips, ports, errs := make([]string, n), make([]int, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ip, err := ipAllocs[i%2].AllocateNext(ctx, testService(fmt.Sprint("svc-", i)), false)
			if err != nil {
				errs[i] = err
				return
			}
			ips[i] = ip.String()
			ports[i], errs[i] = portAllocs[i%2].AllocateNext(ctx)
		}()
	}
	wg.Wait()
	seenIPs, seenPorts := map[string]bool{}, map[int]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("allocation %d: %v", i, errs[i])
		}
		if seenIPs[ips[i]] || seenPorts[ports[i]] {
			t.Fatalf("duplicate allocation %s / %d", ips[i], ports[i])
		}
		seenIPs[ips[i]], seenPorts[ports[i]] = true, true
	}
	// And 200 concurrent requests for the same IP: exactly one wins.
	wins := make(chan struct{}, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ipAllocs[i%2].Allocate(ctx, testService(fmt.Sprint("race-", i)), net.ParseIP("10.96.0.10"), false) == nil {
				wins <- struct{}{}
			}
		}()
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d winners for one IP", len(wins))
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}
