package containerdtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// binaries are what a test needs installed (Debian: containerd runc containernetworking-plugins).
var binaries = []string{"containerd", "ctr", "runc", "ip"}

// Require skips t unless it can run containers: root, containerd, runc, ctr and the CNI bridge
// plugin installed, and a network namespace of its own (hack/netns-run.sh) so that no bridge or
// route is ever made in the machine's. It also makes the cgroup hierarchies visible (see
// mountCgroups) and fails t if that does not work.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run containers")
	}
	for _, b := range binaries {
		if _, err := lookPath(b); err != nil {
			t.Skipf("needs %s (apt-get install containerd runc containernetworking-plugins iproute2)", b)
		}
	}
	if _, err := os.Stat(filepath.Join(cniBinDir(), "bridge")); err != nil {
		t.Skip("needs the CNI plugins (apt-get install containernetworking-plugins)")
	}
	if reachesOutside() {
		t.Skip("runs only in a network namespace without routes out (hack/netns-run.sh go test ...)")
	}
	if err := mountCgroupsOnce(); err != nil {
		t.Fatalf("cgroups: %v", err)
	}
}

func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		if p := filepath.Join(dir, name); isFile(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

func cniBinDir() string {
	if isFile("/usr/lib/cni/bridge") {
		return "/usr/lib/cni"
	}
	return "/opt/cni/bin"
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

var (
	cgroupsOnce sync.Once
	cgroupsErr  error
)

func mountCgroupsOnce() error {
	cgroupsOnce.Do(func() { cgroupsErr = mountCgroups() })
	return cgroupsErr
}

// reachesOutside reports whether this network namespace has an IPv4 or IPv6 route other than to
// loopback and the test's own bridges: the machine's namespace has a default route, the one
// hack/netns-run.sh makes has no route at all.
func reachesOutside() bool {
	for _, file := range []string{"/proc/self/net/route", "/proc/self/net/ipv6_route"} {
		data, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		for i, line := range strings.Split(string(data), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 2 || (file == "/proc/self/net/route" && i == 0) {
				continue
			}
			dev := fields[0] // route: Iface first
			if file == "/proc/self/net/ipv6_route" {
				dev = fields[len(fields)-1]
			}
			if dev != "lo" && !strings.HasPrefix(dev, bridgePrefix) {
				return true
			}
		}
	}
	return false
}

// mountCgroups mounts the machine's cgroup hierarchies on /sys/fs/cgroup when this process does not
// see them (PID 1's /proc/1/mounts lists them). `ip netns exec` gives its command a mount namespace with a fresh /sys (for the namespace's
// devices), without /sys/fs/cgroup's mounts, and runc needs those. Mounting a cgroup v1 hierarchy
// with the same controllers attaches the existing one; the mounts live and die with the namespace,
// which ip netns exec made a slave of the machine's, so nothing leaks out.
func mountCgroups() error {
	mine, err := cgroupMounts("/proc/self/mounts")
	if err != nil {
		return err
	}
	if len(mine) > 0 {
		return nil
	}
	host, err := cgroupMounts("/proc/1/mounts")
	if err != nil {
		return err
	}
	if len(host) == 0 {
		return fmt.Errorf("the machine mounts no cgroup hierarchy")
	}
	if err := syscall.Mount("cgroup_root", "/sys/fs/cgroup", "tmpfs", 0, "mode=755"); err != nil {
		return fmt.Errorf("mounting a tmpfs on /sys/fs/cgroup: %w", err)
	}
	for _, m := range host {
		if err := os.MkdirAll(m.dir, 0o755); err != nil {
			return err
		}
		if err := syscall.Mount(m.fsType, m.dir, m.fsType, 0, m.options); err != nil {
			return fmt.Errorf("mounting %s (%s) on %s: %w", m.fsType, m.options, m.dir, err)
		}
	}
	return nil
}

type mount struct{ fsType, dir, options string }

// cgroupMounts lists the cgroup and cgroup2 mounts under /sys/fs/cgroup in a mounts file, with the
// options that choose the hierarchy (controllers, name=) and without the generic ones.
func cgroupMounts(file string) ([]mount, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || (fields[2] != "cgroup" && fields[2] != "cgroup2") || !strings.HasPrefix(fields[1], "/sys/fs/cgroup/") {
			continue
		}
		var opts []string
		for _, o := range strings.Split(fields[3], ",") {
			switch o {
			case "rw", "ro", "relatime", "noatime", "nosuid", "nodev", "noexec", "seclabel":
			default:
				opts = append(opts, o)
			}
		}
		out = append(out, mount{fsType: fields[2], dir: fields[1], options: strings.Join(opts, ",")})
	}
	return out, sc.Err()
}
