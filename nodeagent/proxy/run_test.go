package proxy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/knftables"
)

// TestRunBatchesSyncsAndCleansUp runs a Proxier against the apiserver with a fake table and
// a fake clock: changes within MinSyncInterval make one transaction, and stopping deletes
// the table.
func TestRunBatchesSyncsAndCleansUp(t *testing.T) {
	s := server(t)
	client := s.Client(t)
	ns := s.Namespace(t)
	clk := clocktesting.NewFakeClock(time.Now())
	nft := newRecordingNFT(knftables.IPv4Family)
	cfg := testConfig()
	cfg.Clock = clk
	cfg.MinSyncInterval = time.Second
	p, err := New(client, cfg, nft)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	poll := func(what string, cond func() bool) {
		t.Helper()
		err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) { return cond(), nil })
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	poll("the first sync", func() bool { return len(nft.transactions()) == 1 })

	var ips []string
	for i := range 3 {
		created, err := client.CoreV1().Services(ns).Create(ctx, svc(fmt.Sprintf("s%d", i), "", func(s *v1.Service) {
			s.Namespace, s.Spec.ClusterIP, s.Spec.ClusterIPs = ns, "", nil
		}), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ips = append(ips, created.Spec.ClusterIP)
	}
	poll("the Services in the cache", func() bool {
		for i := range 3 {
			if _, ok, _ := p.src.services.GetByKey(fmt.Sprintf("%s/s%d", ns, i)); !ok {
				return false
			}
		}
		return true
	})
	if n := len(nft.transactions()); n != 1 {
		t.Fatalf("%d transactions before MinSyncInterval passed, want 1", n)
	}
	clk.Step(cfg.MinSyncInterval)
	poll("the second sync", func() bool { return len(nft.transactions()) >= 2 })
	if n := len(nft.transactions()); n != 2 {
		t.Fatalf("%d transactions after MinSyncInterval, want 2", n)
	}
	second := nft.transactions()[1]
	for _, ip := range ips {
		if !strings.Contains(second, "add element ip skiff-proxy cluster-ips { "+ip+" }") {
			t.Errorf("ClusterIP %s not in the batched sync", ip)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if dump := nft.Dump(); dump != "" {
		t.Errorf("table left after Run returned:\n%s", dump)
	}
}
