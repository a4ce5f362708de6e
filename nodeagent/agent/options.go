package agent

import (
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/skiff-sh/skiff/nodeagent/kubelet"
)

// RuntimeContainerd is the only container runtime skiff runs pods on.
const RuntimeContainerd = "containerd"

// Defaults of Options.
const (
	// DefaultPodCIDR is a single node's pod range when none is given.
	DefaultPodCIDR = "10.244.0.0/24"
	// DefaultClusterCIDR is the pods' range of the whole cluster (kube-proxy's --cluster-cidr).
	DefaultClusterCIDR = "10.244.0.0/16"
)

// Options configure a node.
type Options struct {
	// Kubelet are the kubelet's options; the agent fills in NodeIP, PodCIDR and RootDir when
	// they are empty, and the kubelet's dependencies.
	Kubelet *kubelet.Options
	// DataDir holds containerd's files (DataDir/containerd), the CNI configuration
	// (DataDir/cni) and, unless Kubelet.RootDir is set, the kubelet's (DataDir/kubelet).
	DataDir string
	// ContainerRuntime is RuntimeContainerd; with no ContainerRuntimeEndpoint the agent runs
	// containerd itself under DataDir, as k3s does.
	ContainerRuntime         string
	ContainerRuntimeEndpoint string
	// CNIConfDir is where the bridge network's conflist is written; default DataDir/cni/net.d
	// when the agent runs containerd, and none (the runtime's own) with an external runtime.
	CNIConfDir string
	// ClusterCIDR is the cluster's pod range: traffic from outside it to ClusterIPs is masqueraded.
	ClusterCIDR string
	// CgroupRoot is the cgroup pods are put under ("" leaves it to the runtime).
	CgroupRoot string
	// TLSCertFile, TLSKeyFile serve the kubelet API (default self-signed under RootDir/pki);
	// ClientCAFile verifies its clients' certificates.
	TLSCertFile, TLSKeyFile, ClientCAFile string
	// DisableProxy and DisableDNS leave the Service proxy or the cluster DNS out.
	DisableProxy, DisableDNS bool
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{
		Kubelet:          kubelet.NewOptions(),
		ContainerRuntime: RuntimeContainerd,
		ClusterCIDR:      DefaultClusterCIDR,
	}
}

// AddFlags adds the node's flags: the kubelet's and the runtime's (upstream's names). --data-dir
// and the kubelet API's TLS flags are added by the command, as `skiff server` has its own.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	o.Kubelet.AddFlags(fs)
	fs.StringVar(&o.ContainerRuntimeEndpoint, "container-runtime-endpoint", o.ContainerRuntimeEndpoint, "CRI endpoint of an external container runtime (unix:///run/containerd/containerd.sock); empty runs containerd under the data directory.")
	fs.StringVar(&o.CNIConfDir, "cni-conf-dir", o.CNIConfDir, "Directory to write the pod network's CNI configuration to; default <data-dir>/cni/net.d when skiff runs containerd, none with --container-runtime-endpoint.")
	fs.StringVar(&o.ClusterCIDR, "cluster-cidr", o.ClusterCIDR, "CIDR of the cluster's pods; the Service proxy masquerades traffic from outside it.")
	fs.StringVar(&o.CgroupRoot, "cgroup-root", o.CgroupRoot, "Cgroup pods are put under (cgroupfs); empty leaves it to the container runtime.")
}

// complete fills in what depends on other options.
func (o *Options) complete() error {
	if o.DataDir == "" {
		return errors.New("node agent: no data directory")
	}
	abs, err := filepath.Abs(o.DataDir)
	if err != nil {
		return err
	}
	o.DataDir = abs
	if o.ContainerRuntime == "" {
		o.ContainerRuntime = RuntimeContainerd
	}
	if o.ContainerRuntime != RuntimeContainerd {
		return fmt.Errorf("--container-runtime %q is not supported (only %q)", o.ContainerRuntime, RuntimeContainerd)
	}
	if o.ContainerRuntimeEndpoint != "" && !strings.HasPrefix(o.ContainerRuntimeEndpoint, "unix://") {
		return fmt.Errorf("--container-runtime-endpoint %q: only unix:// endpoints are supported", o.ContainerRuntimeEndpoint)
	}
	if o.ContainerRuntimeEndpoint == "" && o.CNIConfDir == "" {
		o.CNIConfDir = filepath.Join(o.DataDir, "cni", "net.d")
	}
	k := o.Kubelet
	if k.PodCIDR == "" {
		k.PodCIDR = DefaultPodCIDR
	}
	if _, err := netip.ParsePrefix(strings.Split(k.PodCIDR, ",")[0]); err != nil {
		return fmt.Errorf("--pod-cidr: %w", err)
	}
	if o.ClusterCIDR != "" {
		if _, err := netip.ParsePrefix(o.ClusterCIDR); err != nil {
			return fmt.Errorf("--cluster-cidr: %w", err)
		}
	}
	if k.RootDir == "" {
		k.RootDir = filepath.Join(o.DataDir, "kubelet")
	}
	if k.CgroupParent == "" {
		k.CgroupParent = o.CgroupRoot
	}
	if len(k.ClusterDNS) == 0 {
		return errors.New("--cluster-dns: the cluster DNS Service needs an address")
	}
	if _, err := netip.ParseAddr(k.ClusterDNS[0]); err != nil {
		return fmt.Errorf("--cluster-dns: %w", err)
	}
	return nil
}

// podCIDR is the first (primary) of the kubelet's pod CIDRs.
func (o *Options) podCIDR() string {
	return strings.TrimSpace(strings.Split(o.Kubelet.PodCIDR, ",")[0])
}
