package scheduler

import (
	"context"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

// Options are the scheduler's flags.
type Options struct {
	// ConfigFile is a KubeSchedulerConfiguration file; empty uses upstream's default profile.
	ConfigFile  string
	LeaderElect bool
}

// NewOptions returns the defaults.
func NewOptions() *Options {
	return &Options{LeaderElect: true}
}

// AddFlags adds the options to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ConfigFile, "scheduler-config", o.ConfigFile, "KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1).")
}

// Run schedules pods until ctx ends.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	// TODO: not written yet.
	<-ctx.Done()
	return nil
}
