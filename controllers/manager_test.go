package controllers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"

	"github.com/skiff-sh/skiff/controllers/serviceaccount"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

var testServer *framework.Server

func TestMain(m *testing.M) {
	srv, err := framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testServer = srv
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

// runManager runs a leader-electing manager with only the ServiceAccount controller as
// identity; stop ends it and waits.
func runManager(t *testing.T, identity string) (stop func()) {
	t.Helper()
	o := NewOptions()
	o.Controllers = []string{serviceaccount.Name}
	o.skipNameValidation = true
	config := rest.CopyConfig(testServer.ClientConfig)
	config.UserAgent = identity
	mgr, err := NewManager(config, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("manager %s: %v", identity, err)
		}
	}
}

func holder(ctx context.Context, t *testing.T) string {
	lease, err := testServer.Client(t).CoordinationV1().Leases("kube-system").Get(ctx, LeaderElectionID, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// TestLeaderElection: two managers share one Lease; only the holder acts, and when it stops
// (releasing the Lease) the other takes over and acts.
func TestLeaderElection(t *testing.T) {
	ctx := context.Background()
	stopFirst := runManager(t, "first")
	var first string
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		first = holder(ctx, t)
		return first != "", nil
	}); err != nil {
		t.Fatalf("no leader: %v", err)
	}
	stopSecond := runManager(t, "second")
	defer stopSecond()

	// The leader acts: a new namespace gets its default ServiceAccount.
	ns := testServer.Namespace(t)
	waitForSA(t, ns)
	if got := holder(ctx, t); got != first {
		t.Fatalf("leader changed from %q to %q while the first ran", first, got)
	}

	stopFirst()
	var second string
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
		second = holder(ctx, t)
		return second != "" && second != first, nil
	}); err != nil {
		t.Fatalf("the second manager did not take over (holder %q): %v", second, err)
	}
	// The new leader acts too.
	ns2 := testServer.Namespace(t)
	waitForSA(t, ns2)
}

func waitForSA(t *testing.T, ns string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := testServer.Client(t).CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatalf("no default ServiceAccount in %s: %v", ns, err)
	}
}
