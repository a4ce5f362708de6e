package kubelet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/utils/clock"
)

// Options configure the kubelet. The zero values of the dependencies are allowed: a pod that needs
// one that is missing gets a clear event and does not start.
type Options struct {
	// NodeName is the Node's name; default the host name, lower-cased.
	NodeName string
	// RootDir holds the pods' files (hosts files, termination logs) and container logs
	// (<RootDir>/logs/pods/...). The server passes <data-dir>/kubelet.
	RootDir string
	// PodCIDR is the node's pod range (spec.podCIDR(s)); comma-separated for dual stack.
	PodCIDR string
	// NodeIP is the node's InternalIP; default the first non-loopback address of the host.
	NodeIP string
	// ClusterDNS and ClusterDomain form ClusterFirst pods' resolv.conf.
	ClusterDNS    []string
	ClusterDomain string
	// ResolvConf is the host resolv.conf Default pods copy; "" for none.
	ResolvConf string
	// MaxPods is the node's pod capacity.
	MaxPods int32
	// NodeLabels are added to the Node when it registers.
	NodeLabels map[string]string
	// RegisterWithTaints are taints (key=value:Effect) the Node registers with.
	RegisterWithTaints []string
	// LeaseDuration and LeaseRenewInterval are the node heartbeat Lease's.
	LeaseDuration      time.Duration
	LeaseRenewInterval time.Duration
	// NodeStatusUpdateFrequency is how often the node status is computed and, when changed
	// (or every 5 minutes), posted.
	NodeStatusUpdateFrequency time.Duration
	// KubeletPort is the kubelet HTTPS API's port (status.daemonEndpoints).
	KubeletPort int32
	// CgroupParent is the cgroup every pod sandbox is put under; "" leaves it to the runtime.
	CgroupParent string
	// RelistPeriod is how often each pod worker re-reads its containers' states from the runtime
	// (upstream's PLEG relist, 1s).
	RelistPeriod time.Duration

	// Volumes, Env, Probes and Hooks are the kubelet's collaborators (nil: not available).
	Volumes VolumeManager
	Env     EnvResolver
	Probes  ProbeManager
	Hooks   HookRunner
	// Clock drives back-offs and timestamps; nil is the real clock.
	Clock clock.WithTicker
}

// NewOptions returns upstream's defaults.
func NewOptions() *Options {
	host, _ := os.Hostname()
	return &Options{
		NodeName:                  strings.ToLower(strings.TrimSpace(host)),
		RootDir:                   "/var/lib/skiff/kubelet",
		ClusterDNS:                []string{"10.96.0.10"},
		ClusterDomain:             "cluster.local",
		ResolvConf:                "/etc/resolv.conf",
		MaxPods:                   110,
		LeaseDuration:             40 * time.Second,
		LeaseRenewInterval:        10 * time.Second,
		NodeStatusUpdateFrequency: 10 * time.Second,
		KubeletPort:               10250,
		RelistPeriod:              time.Second,
	}
}

// AddFlags adds the kubelet's flags (upstream's names; the node name is --node-name).
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.NodeName, "node-name", o.NodeName, "Name of this node (upstream's --hostname-override); default the host name.")
	fs.StringVar(&o.RootDir, "root-dir", o.RootDir, "Directory for the kubelet's files: pods' hosts files and termination logs, container logs.")
	fs.StringVar(&o.PodCIDR, "pod-cidr", o.PodCIDR, "CIDR(s, comma-separated) of this node's pods (spec.podCIDRs).")
	fs.StringVar(&o.NodeIP, "node-ip", o.NodeIP, "IP address of the node (InternalIP); default the host's first non-loopback address.")
	fs.StringSliceVar(&o.ClusterDNS, "cluster-dns", o.ClusterDNS, "Comma-separated DNS server IP addresses for ClusterFirst pods.")
	fs.StringVar(&o.ClusterDomain, "cluster-domain", o.ClusterDomain, "Domain of this cluster; pods search it.")
	fs.StringVar(&o.ResolvConf, "resolv-conf", o.ResolvConf, "Resolver configuration file the pods' DNS configuration is based on; \"\" for none.")
	fs.Int32Var(&o.MaxPods, "max-pods", o.MaxPods, "Number of pods this node can run.")
	fs.StringToStringVar(&o.NodeLabels, "node-labels", o.NodeLabels, "Labels the node registers with (key=value,...).")
	fs.StringSliceVar(&o.RegisterWithTaints, "register-with-taints", o.RegisterWithTaints, "Taints the node registers with (key=value:Effect,...).")
	fs.DurationVar(&o.LeaseDuration, "node-lease-duration", o.LeaseDuration, "Duration of the node's heartbeat Lease.")
	fs.DurationVar(&o.LeaseRenewInterval, "node-lease-renew-interval", o.LeaseRenewInterval, "How often the node renews its Lease.")
	fs.DurationVar(&o.NodeStatusUpdateFrequency, "node-status-update-frequency", o.NodeStatusUpdateFrequency, "How often the node status is computed and posted when changed.")
	fs.Int32Var(&o.KubeletPort, "kubelet-port", o.KubeletPort, "Port of the kubelet API.")
}

// Validate checks the options.
func (o *Options) Validate() error {
	var errs []error
	if o.NodeName == "" {
		errs = append(errs, errors.New("--node-name must not be empty"))
	} else if msgs := validation.IsDNS1123Subdomain(o.NodeName); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("--node-name %q: %s", o.NodeName, strings.Join(msgs, "; ")))
	}
	if o.RootDir == "" {
		errs = append(errs, errors.New("--root-dir must not be empty"))
	}
	if o.PodCIDR != "" {
		for _, c := range strings.Split(o.PodCIDR, ",") {
			if _, _, err := net.ParseCIDR(strings.TrimSpace(c)); err != nil {
				errs = append(errs, fmt.Errorf("--pod-cidr: %w", err))
			}
		}
	}
	if o.NodeIP != "" && net.ParseIP(o.NodeIP) == nil {
		errs = append(errs, fmt.Errorf("--node-ip %q is not an IP address", o.NodeIP))
	}
	for _, s := range o.ClusterDNS {
		if net.ParseIP(s) == nil {
			errs = append(errs, fmt.Errorf("--cluster-dns %q is not an IP address", s))
		}
	}
	if o.MaxPods < 0 {
		errs = append(errs, errors.New("--max-pods must not be negative"))
	}
	if _, err := o.Taints(); err != nil {
		errs = append(errs, err)
	}
	if o.LeaseRenewInterval <= 0 || o.LeaseRenewInterval >= o.LeaseDuration {
		errs = append(errs, errors.New("--node-lease-renew-interval must be positive and shorter than --node-lease-duration"))
	}
	if o.NodeStatusUpdateFrequency <= 0 {
		errs = append(errs, errors.New("--node-status-update-frequency must be positive"))
	}
	if o.KubeletPort <= 0 || o.KubeletPort > 65535 {
		errs = append(errs, fmt.Errorf("--kubelet-port %d is not a port", o.KubeletPort))
	}
	if o.RelistPeriod <= 0 {
		errs = append(errs, errors.New("the relist period must be positive"))
	}
	return errors.Join(errs...)
}

// Taints parses RegisterWithTaints (key[=value]:Effect).
func (o *Options) Taints() ([]corev1.Taint, error) {
	var out []corev1.Taint
	for _, s := range o.RegisterWithTaints {
		t, err := parseTaint(s)
		if err != nil {
			return nil, fmt.Errorf("--register-with-taints: %w", err)
		}
		out = append(out, t)
	}
	return out, nil
}

func parseTaint(s string) (corev1.Taint, error) {
	kv, effect, ok := strings.Cut(s, ":")
	if !ok {
		return corev1.Taint{}, fmt.Errorf("invalid taint spec: %v", s)
	}
	t := corev1.Taint{Effect: corev1.TaintEffect(effect)}
	t.Key, t.Value, _ = strings.Cut(kv, "=")
	switch t.Effect {
	case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
	default:
		return corev1.Taint{}, fmt.Errorf("invalid taint effect: %v, unsupported taint effect", effect)
	}
	if msgs := validation.IsQualifiedName(t.Key); len(msgs) > 0 {
		return corev1.Taint{}, fmt.Errorf("invalid taint key %q: %s", t.Key, strings.Join(msgs, "; "))
	}
	if t.Value != "" {
		if msgs := validation.IsValidLabelValue(t.Value); len(msgs) > 0 {
			return corev1.Taint{}, fmt.Errorf("invalid taint value %q: %s", t.Value, strings.Join(msgs, "; "))
		}
	}
	return t, nil
}
