package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/knftables"
)

// Endpoint addresses inside the test namespace, on its lo.
const epA, epB = "10.244.0.10", "10.244.0.11"

// TestRealNFTables programs real nftables in a network namespace of its own from a real
// apiserver and connects through the rules: ClusterIP and NodePort reach the endpoints,
// not-ready endpoints get no traffic, ClientIP affinity sticks, a Service without
// endpoints refuses connections, stale chains and sets are deleted, and stopping removes
// the table.
func TestRealNFTables(t *testing.T) {
	n := newTestNetns(t)
	n.ip(t, "addr", "add", epA+"/32", "dev", "lo")
	n.ip(t, "addr", "add", epB+"/32", "dev", "lo")
	// The service range goes to a veth pair inside the namespace: a packet no rule rewrites
	// goes nowhere (forwarding is off). (Through lo, ICMP rejects would not reach the client.)
	n.ip(t, "link", "add", "svc0", "type", "veth", "peer", "name", "svc1")
	n.ip(t, "link", "set", "svc0", "up")
	n.ip(t, "link", "set", "svc1", "up")
	n.ip(t, "route", "add", "10.96.0.0/12", "dev", "svc0")
	serveName(t, n, epA, "A")
	serveName(t, n, epB, "B")
	nft := n.nftables(t, knftables.IPv4Family)

	s := server(t)
	client := s.Client(t)
	ns := s.Namespace(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	echo := createService(ctx, t, client, svc("echo", "", nodePort(0), func(s *v1.Service) { s.Namespace = ns }))
	sticky := createService(ctx, t, client, svc("sticky", "", affinity(600), func(s *v1.Service) { s.Namespace = ns }))
	setEndpoints(ctx, t, client, ns, "echo", ep{ip: epA, node: testNode})
	setEndpoints(ctx, t, client, ns, "sticky", ep{ip: epA, node: testNode})

	cfg := testConfig()
	cfg.MinSyncInterval = 100 * time.Millisecond
	p, err := New(client, cfg, nft)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	stopped := false
	defer func() {
		if !stopped {
			cancel()
			<-done
		}
	}()

	echoIP := net.JoinHostPort(echo.Spec.ClusterIP, "80")
	echoNodePort := net.JoinHostPort(epA, strconv.Itoa(int(echo.Spec.Ports[0].NodePort)))
	stickyIP := net.JoinHostPort(sticky.Spec.ClusterIP, "80")
	waitAnswer(t, n, echoIP, "A")
	waitAnswer(t, n, echoNodePort, "A")
	waitAnswer(t, n, stickyIP, "A")

	// A not ready, B ready: only B gets traffic.
	setEndpoints(ctx, t, client, ns, "echo", ep{ip: epA, node: testNode, notReady: true}, ep{ip: epB, node: testNode})
	setEndpoints(ctx, t, client, ns, "sticky", ep{ip: epA, node: testNode, notReady: true}, ep{ip: epB, node: testNode})
	waitAnswer(t, n, echoIP, "B")
	waitAnswer(t, n, stickyIP, "B")
	for range 5 {
		if got, err := dial(n, echoIP); got != "B" {
			t.Errorf("with A not ready, echo answered %q (%v), want B", got, err)
		}
	}

	// Both ready: echo picks either at random; sticky stays with B for this client.
	setEndpoints(ctx, t, client, ns, "echo", ep{ip: epA, node: testNode}, ep{ip: epB, node: testNode})
	setEndpoints(ctx, t, client, ns, "sticky", ep{ip: epA, node: testNode}, ep{ip: epB, node: testNode})
	waitAnswer(t, n, echoIP, "A")
	seen := map[string]bool{}
	for range 40 {
		got, _ := dial(n, echoIP)
		seen[got] = true
	}
	if !seen["A"] || !seen["B"] {
		t.Errorf("40 connections to echo reached %v, want both endpoints", seen)
	}
	for range 8 {
		if got, err := dial(n, stickyIP); got != "B" {
			t.Errorf("sticky answered %q (%v), want B by ClientIP affinity", got, err)
		}
	}

	// No endpoints: connections are refused.
	setEndpoints(ctx, t, client, ns, "echo")
	var dialErr error
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		_, dialErr = dial(n, echoIP)
		return errors.Is(dialErr, syscall.ECONNREFUSED), nil
	})
	if err != nil {
		t.Errorf("echo without endpoints does not refuse connections: %v (last: %v)\n%s", err, dialErr, n.nft(t, "list", "ruleset"))
	}
	if _, err := dial(n, echoNodePort); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("echo's NodePort without endpoints: %v, want connection refused", err)
	}

	// Without endpoints, sticky's endpoint chains and affinity sets go away on the real kernel
	// too (the chains a little after the rules that used them).
	setEndpoints(ctx, t, client, ns, "sticky")
	var table string
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		table = n.nft(t, "list", "table", "ip", TableName)
		return !strings.Contains(table, "/sticky/"), nil
	})
	if err != nil {
		t.Errorf("sticky's chains or sets were not removed: %v\n%s", err, table)
	}

	cancel()
	stopped = true
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if tables := n.nft(t, "list", "tables"); strings.Contains(tables, TableName) {
		t.Errorf("table left after stop: %s", tables)
	}
}

// serveName listens on addr:8080 in the namespace and answers every connection with name.
func serveName(t *testing.T, n *testNetns, addr, name string) {
	t.Helper()
	var l net.Listener
	if err := n.do(func() (err error) { l, err = net.Listen("tcp", net.JoinHostPort(addr, "8080")); return err }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, name)
			_ = c.Close()
		}
	}()
}

// dial connects to addr from inside the namespace and reads the answer.
func dial(n *testNetns, addr string) (string, error) {
	var answer string
	err := n.do(func() error {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(2 * time.Second))
		b, err := io.ReadAll(c)
		answer = string(b)
		return err
	})
	return answer, err
}

// waitAnswer polls until addr answers want.
func waitAnswer(t *testing.T, n *testNetns, addr, want string) {
	t.Helper()
	var got string
	var lastErr error
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		got, lastErr = dial(n, addr)
		return got == want, nil
	})
	if err != nil {
		t.Fatalf("%s answered %q (%v), want %q", addr, got, lastErr, want)
	}
}

func createService(ctx context.Context, t *testing.T, client kubernetes.Interface, s *v1.Service) *v1.Service {
	t.Helper()
	s.Spec.ClusterIP, s.Spec.ClusterIPs = "", nil
	s.Spec.Ports[0].TargetPort = intstr.FromInt32(8080)
	created, err := client.CoreV1().Services(s.Namespace).Create(ctx, s, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// setEndpoints creates or replaces the Service's EndpointSlice.
func setEndpoints(ctx context.Context, t *testing.T, client kubernetes.Interface, ns, service string, eps ...ep) {
	t.Helper()
	want := slice(service, eps...)
	want.Namespace = ns
	slices := client.DiscoveryV1().EndpointSlices(ns)
	cur, err := slices.Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		if _, err := slices.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		return
	}
	cur.Endpoints = want.Endpoints
	if _, err := slices.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
