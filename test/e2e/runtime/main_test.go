package runtime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/test/e2e/framework"
)

// Environment (hack/e2e/runtime.sh sets it):
//
//	SKIFF_E2E_BINARY    the skiff binary
//	KUBECTL             kubectl (default: kubectl in PATH)
//	SKIFF_E2E_BUSYBOX   the busybox test image archive (hack/images/busybox.sh)
//	SKIFF_E2E_NODE_IP   the node's InternalIP, on a dummy device of the namespace
//	SKIFF_E2E_TOPOLOGY  server (default: skiff server --container-runtime=containerd) or
//	                    nodeagent (skiff server, and skiff nodeagent --kubeconfig beside it)
//	SKIFF_E2E_KEEP      keep the data dir and logs even when every test passed
var (
	skipReason  string
	kubectlPath string
	workDir     string
	cluster     *framework.Server
	nodeIP      string
	// cgroupRoot is where the node puts its pods' cgroups; removed at the end.
	cgroupRoot string
)

// podCIDR is the node's pod range (the agent's default for a single node).
const podCIDR = "10.244.0.0/24"

// busyboxImage is the name hack/images/busybox.sh gives the test image.
const busyboxImage = "localhost/busybox:test"

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	if skipReason = requirements(); skipReason != "" {
		fmt.Println("e2e/runtime: skipping:", skipReason)
		return m.Run()
	}
	var err error
	if workDir, err = os.MkdirTemp("", "skrt-"); err != nil { // short: containerd's socket path
		fmt.Fprintln(os.Stderr, "e2e/runtime:", err)
		return 1
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	cgroupRoot = "/skiff-e2e-" + hex.EncodeToString(suffix)
	code := run(m)
	if err := teardown(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e/runtime: teardown:", err)
		code = 1
	}
	if code != 0 || os.Getenv("SKIFF_E2E_KEEP") != "" {
		fmt.Println("e2e/runtime: logs and data kept in", workDir)
	} else {
		_ = os.RemoveAll(workDir)
	}
	return code
}

func run(m *testing.M) int {
	var err error
	cluster, err = framework.NewServer(os.Getenv("SKIFF_E2E_BINARY"), filepath.Join(workDir, "c"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e/runtime:", err)
		return 1
	}
	topology := os.Getenv("SKIFF_E2E_TOPOLOGY")
	switch topology {
	case "", topologyServer:
		topology = topologyServer
		cluster.Args = append([]string{"--container-runtime=containerd"}, nodeArgs()...)
	case topologyNodeAgent:
		nodeAgent = newNodeAgent()
	default:
		fmt.Fprintf(os.Stderr, "e2e/runtime: unknown SKIFF_E2E_TOPOLOGY %q (%s or %s)\n", topology, topologyServer, topologyNodeAgent)
		return 1
	}
	framework.ReadyTimeout = 2 * time.Minute
	if err := cluster.Start(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "e2e/runtime: starting skiff:", err)
		return 1
	}
	if err := startNode(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "e2e/runtime:", err)
		return 1
	}
	fmt.Printf("e2e/runtime: skiff on port %d, node (%s topology) IP %s, work dir %s\n", cluster.Port, topology, nodeIP, workDir)
	if err := importBusybox(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e/runtime:", err)
		return 1
	}
	return m.Run()
}

// requirements says why the suite cannot run here, or "".
func requirements() string {
	switch {
	case os.Getenv("SKIFF_E2E_BINARY") == "":
		return "SKIFF_E2E_BINARY is not set (hack/e2e/runtime.sh sets it)"
	case os.Geteuid() != 0:
		return "needs root to run containers"
	}
	for _, b := range []string{"containerd", "ctr", "runc", "ip", "nft"} {
		if _, err := lookPath(b); err != nil {
			return fmt.Sprintf("needs %s (apt-get install containerd runc containernetworking-plugins iproute2 nftables)", b)
		}
	}
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		if _, err := os.Stat("/opt/cni/bin/bridge"); err != nil {
			return "needs the CNI plugins (apt-get install containernetworking-plugins)"
		}
	}
	if hasDefaultRoute() {
		return "runs only in a network namespace without a default route (hack/e2e/runtime.sh)"
	}
	if nodeIP = os.Getenv("SKIFF_E2E_NODE_IP"); nodeIP == "" {
		return "SKIFF_E2E_NODE_IP is not set"
	}
	if _, err := os.Stat(os.Getenv("SKIFF_E2E_BUSYBOX")); err != nil {
		return "SKIFF_E2E_BUSYBOX is not the busybox image archive (hack/images/busybox.sh)"
	}
	kubectlPath = os.Getenv("KUBECTL")
	if kubectlPath == "" {
		p, err := exec.LookPath("kubectl")
		if err != nil {
			return "no kubectl"
		}
		kubectlPath = p
	}
	return ""
}

func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(dir, name); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// hasDefaultRoute reports whether this network namespace routes anywhere by default.
func hasDefaultRoute() bool {
	data, err := os.ReadFile("/proc/self/net/route")
	if err != nil {
		return true
	}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		if f := strings.Fields(line); len(f) > 2 && f[1] == "00000000" {
			return true
		}
	}
	return false
}

func importBusybox() error {
	out, err := exec.Command(cluster.Binary, "images", "import", "--data-dir", nodeDataDir(), os.Getenv("SKIFF_E2E_BUSYBOX")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("importing the busybox image: %v: %s", err, out)
	}
	return nil
}

// teardown stops the server (which stops its containerd), removes every pod through a containerd
// of its own on the same data dir, then whatever is left: shims, mounts, cgroups, the bridge.
func teardown() error {
	if cluster == nil {
		return nil
	}
	var errs []error
	ctx, cancel := context.WithTimeout(klog.NewContext(context.Background(), klog.Background()), 2*time.Minute)
	defer cancel()
	errs = append(errs, nodeAgent.stop(), cluster.Stop())
	// The pods outlive the node (as with k3s): a containerd of their own removes them.
	if p, err := containerd.Start(ctx, containerd.Config{DataDir: nodeDataDir(), LogLevel: "warn"}); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, removeAllPods(ctx, p.Endpoint()), p.Stop())
	}
	// Whatever still runs in the pods' cgroups is this suite's (the cgroup root is its own).
	killCgroupProcs(cgroupRoot)
	// The node removes its Service proxy rules when it stops.
	if out, err := exec.Command("nft", "list", "table", "ip", "skiff-proxy").CombinedOutput(); err == nil {
		errs = append(errs, fmt.Errorf("the node left its nftables table skiff-proxy:\n%s", out))
	}
	// Pods outlive their node, and their volumes with them: those are expected.
	unmountUnder(filepath.Join(nodeDataDir(), "kubelet", "pods"))
	env := &containerdtest.Env{Dir: nodeDataDir(), CgroupParent: cgroupRoot, Bridge: "skiff0"}
	if err := env.Teardown(); err != nil {
		errs = append(errs, fmt.Errorf("left after the server stopped: %w", err))
	}
	if left := env.Leftovers(); len(left) > 0 {
		errs = append(errs, fmt.Errorf("could not remove %v", left))
	}
	return errors.Join(errs...)
}

func removeAllPods(ctx context.Context, endpoint string) error {
	// containerd answers on its socket a moment before its CRI plugin serves.
	var c *cri.Client
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		c, err = cri.Connect(ctx, cri.Options{Endpoint: endpoint, ConnectTimeout: 5 * time.Second})
		return err == nil, nil
	})
	if err != nil {
		return fmt.Errorf("connecting to containerd to remove the pods: %w", err)
	}
	defer c.Close(ctx)
	pods, err := c.ListPodSandbox(ctx, nil)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range pods {
		errs = append(errs, c.StopPodSandbox(ctx, p.Id), c.RemovePodSandbox(ctx, p.Id))
	}
	return errors.Join(errs...)
}

// requireNode skips t when the suite cannot run here.
func requireNode(t *testing.T) {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	if cluster.Exited() || nodeAgent.isExited() {
		t.Fatalf("skiff exited:%s", nodeLogTail())
	}
}

// unmountUnder unmounts every mount point below dir, deepest first.
func unmountUnder(dir string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			points = append(points, f[4])
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	for _, p := range points {
		_ = syscall.Unmount(p, syscall.MNT_DETACH)
	}
}

// killCgroupProcs kills every process in the cgroups below root, in every hierarchy, and waits
// up to 10 s for them to go.
func killCgroupProcs(root string) {
	files, _ := filepath.Glob("/sys/fs/cgroup/*" + root + "/*/cgroup.procs")
	more, _ := filepath.Glob("/sys/fs/cgroup/*" + root + "/*/*/cgroup.procs")
	var pids []int
	for _, f := range append(files, more...) {
		data, _ := os.ReadFile(f)
		for _, field := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(field); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	for _, pid := range pids {
		fmt.Fprintf(os.Stderr, "e2e/runtime: killing pid %d left in %s\n", pid, root)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range pids {
		for time.Now().Before(deadline) && syscall.Kill(pid, 0) == nil {
			time.Sleep(20 * time.Millisecond)
		}
	}
}
