package scheduler

import (
	"github.com/spf13/pflag"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
)

// Options are the scheduler's flags.
type Options struct {
	// ConfigFile is a KubeSchedulerConfiguration file; empty uses upstream's default profile.
	ConfigFile string
	// LeaderElect takes the Lease named by the configuration (kube-system/kube-scheduler)
	// before scheduling.
	LeaderElect bool
	// MetricsBindAddress serves /metrics when set ("" or "0" turns it off).
	MetricsBindAddress string
	// Profiling serves /debug/pprof beside /metrics (upstream's enableProfiling).
	Profiling bool
	// Registry overrides the plugins (nil: schedulerplugins.NewInTreeRegistry()); not a flag.
	Registry schedulerplugins.Registry
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{LeaderElect: true}
}

// AddFlags adds the options to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ConfigFile, "scheduler-config", o.ConfigFile, "KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1).")
	fs.BoolVar(&o.LeaderElect, "scheduler-leader-elect", o.LeaderElect, "Take the scheduler's Lease (kube-system/kube-scheduler) before scheduling, so only one replica schedules.")
	fs.StringVar(&o.MetricsBindAddress, "scheduler-metrics-bind-address", o.MetricsBindAddress, "Address to serve the scheduler's /metrics on; empty or '0' turns it off.")
	fs.BoolVar(&o.Profiling, "scheduler-profiling", o.Profiling, "Serve Go's pprof handlers under /debug/pprof/ on the metrics address.")
}
