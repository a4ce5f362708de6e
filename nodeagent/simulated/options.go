package simulated

import (
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/spf13/pflag"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"
)

// Options configure the simulated nodes.
type Options struct {
	// Nodes is how many nodes to simulate.
	Nodes int
	// NamePrefix names the nodes: <prefix><index>.
	NamePrefix string
	// CPU, Memory, Pods and EphemeralStorage are each node's capacity (and allocatable).
	CPU, Memory, Pods, EphemeralStorage string
	// Labels are added to every node.
	Labels map[string]string
	// NodeConfigFile is a Node manifest whose labels, annotations, taints, capacity and
	// allocatable every simulated node copies; the capacity flags fill in resources it omits.
	NodeConfigFile string
	// PodCIDR is split into one NodeCIDRMaskSize subnet per node for pod IPs.
	PodCIDR          string
	NodeCIDRMaskSize int
	// LeaseDuration and LeaseRenewInterval are the node heartbeats' (kubelet: 40s, 10s).
	LeaseDuration      time.Duration
	LeaseRenewInterval time.Duration
	// RunTime is how long a container of a pod whose restartPolicy is not Always runs before
	// it exits with ExitCode, unless the pod's annotations say otherwise.
	RunTime  time.Duration
	ExitCode int32
	// Workers update pod statuses in parallel.
	Workers int
	// Zones spreads the nodes round-robin over this many topology zones (0: no zone labels).
	Zones int
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{
		NamePrefix:         "sim-node-",
		CPU:                "32",
		Memory:             "256Gi",
		Pods:               "110",
		EphemeralStorage:   "100Gi",
		PodCIDR:            "10.244.0.0/16",
		NodeCIDRMaskSize:   24,
		LeaseDuration:      40 * time.Second,
		LeaseRenewInterval: 10 * time.Second,
		RunTime:            time.Second,
		Workers:            32,
	}
}

// AddFlags adds the options other than the node count (whose flag name differs between
// `skiff server` and `skiff nodeagent`).
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.NamePrefix, "simulated-node-prefix", o.NamePrefix, "Simulated nodes are named <prefix><index>.")
	fs.StringVar(&o.CPU, "simulated-node-cpu", o.CPU, "CPU capacity of each simulated node.")
	fs.StringVar(&o.Memory, "simulated-node-memory", o.Memory, "Memory capacity of each simulated node.")
	fs.StringVar(&o.Pods, "simulated-node-pods", o.Pods, "Pod capacity of each simulated node.")
	fs.StringVar(&o.EphemeralStorage, "simulated-node-ephemeral-storage", o.EphemeralStorage, "Ephemeral storage capacity of each simulated node.")
	fs.StringToStringVar(&o.Labels, "simulated-node-labels", o.Labels, "Labels added to every simulated node (k=v,...).")
	fs.StringVar(&o.NodeConfigFile, "simulated-node-config", o.NodeConfigFile, "Node manifest (YAML) whose labels, annotations, taints, capacity and allocatable every simulated node copies; the capacity flags fill in what it omits.")
	fs.StringVar(&o.PodCIDR, "simulated-pod-cidr", o.PodCIDR, "CIDR the simulated nodes' pod CIDRs are cut from.")
	fs.IntVar(&o.NodeCIDRMaskSize, "simulated-node-cidr-mask-size", o.NodeCIDRMaskSize, "Prefix length of each simulated node's pod CIDR.")
	fs.DurationVar(&o.LeaseDuration, "simulated-lease-duration", o.LeaseDuration, "Duration of the simulated nodes' heartbeat Leases.")
	fs.DurationVar(&o.LeaseRenewInterval, "simulated-lease-renew-interval", o.LeaseRenewInterval, "How often each simulated node renews its Lease.")
	fs.DurationVar(&o.RunTime, "simulated-run-time", o.RunTime, "How long containers of pods with restartPolicy Never/OnFailure run before they exit (annotation "+AnnotationRunSeconds+" overrides).")
	fs.Int32Var(&o.ExitCode, "simulated-exit-code", o.ExitCode, "Exit code of containers that end (annotation "+AnnotationExitCode+" overrides).")
	fs.IntVar(&o.Workers, "simulated-workers", o.Workers, "Pod status updates in flight at once.")
	fs.IntVar(&o.Zones, "simulated-zones", o.Zones, "Spread the simulated nodes round-robin over this many zones (topology.kubernetes.io/zone=zone-<i>); 0: no zone labels.")
}

// Validate checks the options and that the pod CIDR has room for every node.
func (o *Options) Validate() error {
	if o.Nodes < 0 {
		return fmt.Errorf("the number of simulated nodes must not be negative")
	}
	for name, q := range map[string]string{"cpu": o.CPU, "memory": o.Memory, "pods": o.Pods, "ephemeral-storage": o.EphemeralStorage} {
		if _, err := resource.ParseQuantity(q); err != nil {
			return fmt.Errorf("simulated node %s %q: %w", name, q, err)
		}
	}
	if _, err := newIPAM(o.PodCIDR, o.NodeCIDRMaskSize, o.Nodes); err != nil {
		return err
	}
	if o.LeaseRenewInterval <= 0 || o.LeaseRenewInterval >= o.LeaseDuration {
		return fmt.Errorf("--simulated-lease-renew-interval must be positive and shorter than --simulated-lease-duration")
	}
	if o.Zones < 0 {
		return fmt.Errorf("--simulated-zones must not be negative")
	}
	if o.Workers < 1 {
		return fmt.Errorf("--simulated-workers must be at least 1")
	}
	return nil
}

// template returns the Node every simulated node starts from.
func (o *Options) template() (*corev1.Node, error) {
	node := &corev1.Node{}
	if o.NodeConfigFile != "" {
		data, err := os.ReadFile(o.NodeConfigFile)
		if err != nil {
			return nil, fmt.Errorf("reading --simulated-node-config: %w", err)
		}
		if err := yaml.UnmarshalStrict(data, node); err != nil {
			return nil, fmt.Errorf("parsing --simulated-node-config: %w", err)
		}
	}
	capacity := corev1.ResourceList{}
	for name, q := range map[corev1.ResourceName]string{
		corev1.ResourceCPU: o.CPU, corev1.ResourceMemory: o.Memory, corev1.ResourcePods: o.Pods,
		corev1.ResourceEphemeralStorage: o.EphemeralStorage,
	} {
		capacity[name] = resource.MustParse(q)
	}
	for name, q := range node.Status.Capacity {
		capacity[name] = q
	}
	node.Status.Capacity = capacity
	if node.Status.Allocatable == nil {
		node.Status.Allocatable = capacity.DeepCopy()
	}
	if node.Labels == nil {
		node.Labels = map[string]string{}
	}
	for k, v := range o.Labels {
		node.Labels[k] = v
	}
	return node, nil
}

// prefixOf parses a CIDR flag.
func prefixOf(cidr string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return p, fmt.Errorf("parsing CIDR %q: %w", cidr, err)
	}
	return p.Masked(), nil
}
