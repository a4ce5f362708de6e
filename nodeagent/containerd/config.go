package containerd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is where and how containerd runs.
type Config struct {
	// DataDir is skiff's data directory: containerd keeps its root, state, socket, configuration
	// and log under DataDir/containerd, and the CNI configuration is read from DataDir/cni/net.d.
	DataDir string
	// Containerd and Runc are the binaries; empty means those in PATH (runc also in /usr/sbin).
	Containerd, Runc string
	// CNIBinDir holds the CNI plugins; empty means /usr/lib/cni (Debian) or /opt/cni/bin.
	CNIBinDir string
	// CNIConfDir defaults to DataDir/cni/net.d.
	CNIConfDir string
	// SandboxImage is the pause image; it must be imported, never pulled. Default localhost/pause:local.
	SandboxImage string
	// LogLevel is containerd's log level; default info.
	LogLevel string
	// StartTimeout bounds the wait for the socket to answer (default 30 s); StopTimeout the wait
	// after SIGTERM before SIGKILL (default 10 s).
	StartTimeout, StopTimeout time.Duration
}

// maxSocketPath is the longest path a unix socket address may have (sun_path less its NUL).
const maxSocketPath = 107

// Dir is the directory containerd's files live in under dataDir.
func Dir(dataDir string) string { return filepath.Join(dataDir, "containerd") }

// SocketPath is the gRPC socket of the containerd run for dataDir.
func SocketPath(dataDir string) string { return filepath.Join(Dir(dataDir), "containerd.sock") }

// Endpoint is the CRI endpoint (unix://...) of the containerd run for dataDir.
func Endpoint(dataDir string) string { return "unix://" + SocketPath(dataDir) }

// withDefaults fills in defaults and finds the binaries.
func (c Config) withDefaults() (Config, error) {
	if c.DataDir == "" {
		return c, errors.New("containerd: no data directory")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return c, err
	}
	c.DataDir = abs
	if n := len(SocketPath(c.DataDir)); n > maxSocketPath {
		return c, fmt.Errorf("containerd: socket path %s is %d bytes, over the %d a unix socket allows: use a shorter data directory", SocketPath(c.DataDir), n, maxSocketPath)
	}
	if c.Containerd, err = lookPath(c.Containerd, "containerd"); err != nil {
		return c, err
	}
	if c.Runc, err = lookPath(c.Runc, "runc", "/usr/sbin/runc", "/usr/local/sbin/runc"); err != nil {
		return c, err
	}
	if c.CNIBinDir == "" {
		c.CNIBinDir = "/opt/cni/bin"
		if _, err := os.Stat("/usr/lib/cni/bridge"); err == nil {
			c.CNIBinDir = "/usr/lib/cni"
		}
	}
	if c.CNIConfDir == "" {
		c.CNIConfDir = filepath.Join(c.DataDir, "cni", "net.d")
	}
	if c.SandboxImage == "" {
		c.SandboxImage = "localhost/pause:local"
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = 30 * time.Second
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = 10 * time.Second
	}
	return c, nil
}

// lookPath returns given if set, else the first of name in PATH and the fallbacks that exists.
func lookPath(given, name string, fallbacks ...string) (string, error) {
	if given != "" {
		return exec.LookPath(given)
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, p := range fallbacks {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("containerd: %s not found in PATH: install containerd and runc", name)
}

// render returns containerd's configuration (version 2) for c, which withDefaults has filled in.
// The CRI plugin may never pull the sandbox image, may not raise oom_score_adj above its own (it
// has no CAP_SYS_RESOURCE on these machines), runs runc with cgroupfs and serves streams on
// loopback only. Snapshotters that cannot work here are disabled to keep start-up quick and quiet.
func (c Config) render() string {
	dir := Dir(c.DataDir)
	q := strconv.Quote
	lines := []string{
		`version = 2`,
		`root = ` + q(filepath.Join(dir, "root")),
		`state = ` + q(filepath.Join(dir, "state")),
		`disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]`,
		``,
		`[grpc]`,
		`  address = ` + q(SocketPath(c.DataDir)),
		``,
		`[debug]`,
		`  level = ` + q(c.LogLevel),
		``,
		`[plugins."io.containerd.internal.v1.opt"]`,
		`  path = ` + q(filepath.Join(dir, "opt")),
		``,
		`[plugins."io.containerd.grpc.v1.cri"]`,
		`  sandbox_image = ` + q(c.SandboxImage),
		`  stream_server_address = "127.0.0.1"`,
		`  stream_server_port = "0"`,
		`  restrict_oom_score_adj = true`,
		`  [plugins."io.containerd.grpc.v1.cri".cni]`,
		`    bin_dir = ` + q(c.CNIBinDir),
		`    conf_dir = ` + q(c.CNIConfDir),
		`    max_conf_num = 1`,
		`  [plugins."io.containerd.grpc.v1.cri".containerd]`,
		`    snapshotter = "overlayfs"`,
		`    default_runtime_name = "runc"`,
		`    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]`,
		`      runtime_type = "io.containerd.runc.v2"`,
		`      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]`,
		`        BinaryName = ` + q(c.Runc),
		`        SystemdCgroup = false`,
	}
	return strings.Join(lines, "\n") + "\n"
}
