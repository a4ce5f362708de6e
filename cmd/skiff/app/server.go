package app

import (
	"context"

	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/rest"

	"github.com/skiff-sh/skiff/apis/server"
	"github.com/skiff-sh/skiff/controllers"
	"github.com/skiff-sh/skiff/nodeagent/agent"
	"github.com/skiff-sh/skiff/nodeagent/simulated"
	"github.com/skiff-sh/skiff/scheduler"
)

// serverOptions are `skiff server`'s: the API server's and those of every component it runs.
type serverOptions struct {
	apiserver   *server.Options
	controllers *controllers.Options
	scheduler   *scheduler.Options
	simulated   *simulated.Options
	// agent runs this machine as a real node when agent.ContainerRuntime is set.
	agent *agent.Options
	// disable names components not to run in this process.
	disable []string
}

// newServerCommand runs the whole cluster in one process: the API server on embedded etcd and,
// once it serves, the controller manager, the scheduler and the node agent as its clients.
func newServerCommand() *cobra.Command {
	o := &serverOptions{
		apiserver:   server.NewOptions(),
		controllers: controllers.NewOptions(),
		scheduler:   scheduler.NewOptions(),
		simulated:   simulated.NewOptions(),
		agent:       agent.NewOptions(),
	}
	o.agent.ContainerRuntime = ""
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a whole skiff cluster in this process",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.apiserver.Validate(); err != nil {
				return err
			}
			if !cmd.Flags().Changed("root-dir") {
				o.agent.Kubelet.RootDir = "" // under --data-dir
			}
			ctx := genericapiserver.SetupSignalContext()
			return runWithComponents(ctx, o.apiserver, o.components())
		},
	}
	fs := cmd.Flags()
	o.apiserver.AddFlags(fs)
	o.controllers.AddFlags(fs)
	o.scheduler.AddFlags(fs)
	fs.IntVar(&o.simulated.Nodes, "simulated-nodes", o.simulated.Nodes, "Number of simulated nodes to register and run pods on (0: none).")
	o.simulated.AddFlags(fs)
	fs.StringVar(&o.agent.ContainerRuntime, "container-runtime", o.agent.ContainerRuntime, "Run this machine as a real node whose pods run on this container runtime (containerd); empty: no real node.")
	o.agent.AddFlags(fs)
	fs.StringSliceVar(&o.disable, "disable", o.disable, "Components not to run in this process: controller-manager, scheduler.")
	return cmd
}

func (o *serverOptions) disabled(name string) bool {
	for _, d := range o.disable {
		if d == name {
			return true
		}
	}
	return false
}

// components lists what runs beside the API server.
func (o *serverOptions) components() []component {
	var cs []component
	if !o.disabled("controller-manager") {
		if o.controllers.RootCAFile == "" {
			o.controllers.RootCAFile = o.apiserver.PKI().CACert()
		}
		cs = append(cs, component{name: "controller-manager", qps: 1000, burst: 2000, run: func(ctx context.Context, c *rest.Config) error {
			return controllers.Run(ctx, c, o.controllers)
		}})
	}
	if !o.disabled("scheduler") {
		cs = append(cs, component{name: "scheduler", qps: 5000, burst: 10000, run: func(ctx context.Context, c *rest.Config) error {
			return scheduler.Run(ctx, c, o.scheduler)
		}})
	}
	if o.agent.ContainerRuntime != "" {
		a := o.agent
		a.DataDir = o.apiserver.DataDir
		if a.ClientCAFile == "" {
			a.ClientCAFile = o.apiserver.PKI().CACert()
		}
		cs = append(cs, component{name: "nodeagent", qps: 50, burst: 100, run: func(ctx context.Context, c *rest.Config) error {
			return agent.Run(ctx, c, a)
		}})
	}
	if o.simulated.Nodes > 0 {
		cs = append(cs, component{name: "simulated-nodes", qps: 5000, burst: 10000, run: func(ctx context.Context, c *rest.Config) error {
			return simulated.Run(ctx, c, o.simulated)
		}})
	}
	return cs
}

// runWithComponents serves the API with the components as post-start hooks; a component that
// fails stops the server and its error is returned.
func runWithComponents(ctx context.Context, o *server.Options, cs []component) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	err := runAPIServer(ctx, o, componentHooks(cs, cancel))
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled && err == nil {
		return cause
	}
	return err
}
