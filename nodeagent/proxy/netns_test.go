package proxy

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
	"sigs.k8s.io/knftables"
)

// testNetns is a network namespace of a test's own, where real nftables rules may be
// programmed: never the namespace the test runs in.
type testNetns struct {
	name string
	// path has the nft wrapper that runs nft inside the namespace.
	path string
}

// newTestNetns creates a namespace with lo up, removed when the test ends (even on failure).
// It skips the test where it cannot: not root, or no ip, nsenter or nft.
func newTestNetns(t *testing.T) *testNetns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces and nftables")
	}
	nftPath, err := exec.LookPath("nft")
	if err != nil {
		t.Skip("nft is not installed")
	}
	for _, tool := range []string{"ip", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	n := &testNetns{name: fmt.Sprintf("skiff-proxy-test-%d-%d", os.Getpid(), rand.IntN(1<<30))}
	if out, err := exec.Command("ip", "netns", "add", n.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", n.name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", n.name, err, out)
		}
	})
	n.path = t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\nexec nsenter --net=/run/netns/%s -- %s \"$@\"\n", n.name, nftPath)
	if err := os.WriteFile(filepath.Join(n.path, "nft"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	n.ip(t, "link", "set", "lo", "up")
	return n
}

// ip runs the ip command inside the namespace.
func (n *testNetns) ip(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", append([]string{"-n", n.name}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// nft runs nft inside the namespace.
func (n *testNetns) nft(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(n.path, "nft"), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("nft %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// nftables returns a knftables interface that runs nft inside the namespace.
func (n *testNetns) nftables(t *testing.T, family knftables.Family) knftables.Interface {
	t.Helper()
	t.Setenv("PATH", n.path+string(os.PathListSeparator)+os.Getenv("PATH"))
	nft, err := knftables.New(family, TableName)
	if err != nil {
		t.Fatalf("nftables in the test namespace: %v", err)
	}
	return nft
}

// do runs fn on a thread that has entered the namespace; sockets fn creates belong to it.
// The thread is never given back to other goroutines: it ends with the goroutine.
func (n *testNetns) do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/run/netns/" + n.name)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
