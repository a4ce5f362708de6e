package containerdtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

// Options shape the environment; zero values are fine.
type Options struct {
	// Subnet is the pod subnet of the bridge network; default a 10.244.X.0/24 that no route of the
	// network namespace uses yet (tests of several packages may share the namespace).
	Subnet string
	// NoBusybox skips importing the busybox test image (images.BusyboxImageName) from /bin/busybox.
	NoBusybox bool
}

// Env is a running containerd for one test.
type Env struct {
	// Dir is containerd's data directory (a DataDir of package containerd).
	Dir string
	// Process is the containerd child; Runtime a CRI client connected to it.
	Process *containerd.Process
	Runtime *cri.Client
	// CgroupParent is where pods of this test must put their cgroups (LinuxPodSandboxConfig's
	// CgroupParent): a directory of its own, removed at the end.
	CgroupParent string
	// Bridge is the CNI bridge device and Subnet its pod subnet.
	Bridge, Subnet string
	// Timings of the start: containerd answering, each image import.
	Timings map[string]time.Duration

	t        testing.TB
	stopOnce sync.Once
	stopErr  error
}

// Start runs containerd under a new temporary directory with a bridge network, imports the sandbox
// image (and busybox), connects a CRI client and waits until the runtime and its network are ready.
// Teardown runs when t ends. Call Require first.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	suffix := randomSuffix(t)
	if o.Subnet == "" {
		o.Subnet = freeSubnet(t)
	}
	// A short directory: containerd's socket path must fit in 107 bytes.
	dir, err := os.MkdirTemp("", "skiff-ctd-")
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{
		Dir: dir, CgroupParent: "/skiff-test-" + suffix, Bridge: bridgePrefix + suffix[:6], Subnet: o.Subnet,
		Timings: map[string]time.Duration{}, t: t,
	}
	t.Cleanup(func() {
		if err := e.Teardown(); err != nil {
			t.Errorf("teardown: %v", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("removing %s: %v", dir, err)
		}
	})
	ctx := klog.NewContext(context.Background(), klog.Background())
	if err := containerd.WriteCNIConfig(filepath.Join(dir, "cni", "net.d"), containerd.BridgeNetwork{
		Name: "skiff-test", Bridge: e.Bridge, Subnet: o.Subnet, IPAMDir: filepath.Join(dir, "cni", "ipam"),
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// Not ctx of the test: Teardown stops containerd after removing the pods.
	p, err := containerd.Start(context.Background(), containerd.Config{DataDir: dir, LogLevel: "warn"})
	if err != nil {
		t.Fatal(err)
	}
	e.Process = p
	e.Timings["containerd start"] = time.Since(start)

	imp := &images.CtrImporter{Address: p.Socket()}
	start = time.Now()
	// The pause archive is built in microseconds: this is ctr's time.
	if _, err := images.ImportPause(ctx, imp); err != nil {
		t.Fatal(err)
	}
	e.Timings["import pause"] = time.Since(start)
	if !o.NoBusybox {
		start = time.Now()
		img, err := images.Busybox(ctx, images.BusyboxImageName, "/bin/busybox")
		if err != nil {
			t.Fatalf("busybox test image (apt-get install busybox-static): %v", err)
		}
		var archive bytes.Buffer
		if _, err := images.Write(&archive, img); err != nil {
			t.Fatal(err)
		}
		e.Timings["build busybox"] = time.Since(start)
		start = time.Now()
		if err := imp.Import(ctx, &archive); err != nil {
			t.Fatal(err)
		}
		e.Timings["import busybox"] = time.Since(start)
	}
	c, err := cri.Connect(ctx, cri.Options{Endpoint: p.Endpoint(), RequestTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	e.Runtime = c
	if err := cri.WaitReady(ctx, c, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return e
}

// freeSubnet picks a 10.244.X.0/24 that no route in this network namespace overlaps.
func freeSubnet(t testing.TB) string {
	routes, _ := os.ReadFile("/proc/self/net/route")
	for range 100 {
		b := make([]byte, 1)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		// /proc/net/route shows destinations as little-endian hex: 10.244.X.0 is 00XXF40A.
		if !strings.Contains(string(routes), fmt.Sprintf("\t00%02XF40A\t", b[0])) {
			return fmt.Sprintf("10.244.%d.0/24", b[0])
		}
	}
	t.Fatal("no free 10.244.X.0/24 subnet")
	return ""
}

func randomSuffix(t testing.TB) string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// Teardown removes all pods, stops containerd, kills any process left that refers to Dir (shims),
// unmounts what is left under Dir, removes the cgroup parent and deletes the bridge. It returns what
// it had to clean up that should already have been gone, and runs once.
func (e *Env) Teardown() error {
	e.stopOnce.Do(func() { e.stopErr = e.teardown() })
	return e.stopErr
}

func (e *Env) teardown() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if e.Runtime != nil {
		errs = append(errs, removeAllPods(ctx, e.Runtime))
		errs = append(errs, e.Runtime.Close(ctx))
	}
	if e.Process != nil {
		if err := e.Process.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if pids := processesUsing(e.Dir); len(pids) > 0 {
		errs = append(errs, fmt.Errorf("processes left using %s: %v", e.Dir, pids))
		killAll(pids)
	}
	if mounts := mountsUnder(e.Dir); len(mounts) > 0 {
		errs = append(errs, fmt.Errorf("mounts left under %s: %v", e.Dir, mounts))
		unmountAll(mounts)
	}
	errs = append(errs, removeCgroups(e.CgroupParent))
	if linkExists(e.Bridge) {
		if out, err := exec.Command("ip", "link", "del", e.Bridge).CombinedOutput(); err != nil {
			errs = append(errs, fmt.Errorf("deleting bridge %s: %v: %s", e.Bridge, err, out))
		}
	}
	return errors.Join(errs...)
}

// Leftovers describes what of this environment still exists after Teardown: processes, mounts,
// cgroups and the bridge. It is empty when everything is gone.
func (e *Env) Leftovers() []string {
	var out []string
	if pids := processesUsing(e.Dir); len(pids) > 0 {
		out = append(out, fmt.Sprintf("processes %v", pids))
	}
	if m := mountsUnder(e.Dir); len(m) > 0 {
		out = append(out, fmt.Sprintf("mounts %v", m))
	}
	if dirs := cgroupDirs(e.CgroupParent); len(dirs) > 0 {
		out = append(out, fmt.Sprintf("cgroups %v", dirs))
	}
	if linkExists(e.Bridge) {
		out = append(out, "bridge "+e.Bridge)
	}
	return out
}

// removeAllPods stops and removes every sandbox (and so its containers) the runtime has.
func removeAllPods(ctx context.Context, rt cri.Runtime) error {
	pods, err := rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return fmt.Errorf("listing pods: %w", err)
	}
	var errs []error
	for _, p := range pods {
		if err := rt.StopPodSandbox(ctx, p.Id); err != nil {
			errs = append(errs, fmt.Errorf("stopping pod %s: %w", p.Id, err))
		}
		if err := rt.RemovePodSandbox(ctx, p.Id); err != nil {
			errs = append(errs, fmt.Errorf("removing pod %s: %w", p.Id, err))
		}
	}
	return errors.Join(errs...)
}

// bridgePrefix starts the name of every bridge these environments make.
const bridgePrefix = "sktest"
