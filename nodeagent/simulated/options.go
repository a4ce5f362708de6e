package simulated

import (
	"context"

	"github.com/spf13/pflag"
	"k8s.io/client-go/rest"
)

// Options configure the simulated nodes.
type Options struct {
	// Nodes is how many nodes to simulate.
	Nodes int
}

// NewOptions returns the defaults.
func NewOptions() *Options { return &Options{} }

// AddFlags adds the options other than the node count (whose flag name differs between
// `skiff server` and `skiff nodeagent`).
func (o *Options) AddFlags(fs *pflag.FlagSet) {}

// Run runs the simulated nodes until ctx ends.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	// TODO: not written yet.
	<-ctx.Done()
	return nil
}
