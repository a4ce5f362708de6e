package app

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/apis/server"
)

// newAPIServerCommand runs the API server alone, e.g. several against one external etcd.
func newAPIServerCommand() *cobra.Command {
	o := server.NewOptions()
	cmd := &cobra.Command{
		Use:   "apiserver",
		Short: "Run only the skiff API server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return runAPIServer(genericapiserver.SetupSignalContext(), o, nil)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// runAPIServer serves the API until ctx ends; each hook starts after the server is ready.
func runAPIServer(ctx context.Context, o *server.Options, hooks map[string]genericapiserver.PostStartHookFunc) error {
	logger := klog.FromContext(ctx)
	srv, err := server.Prepare(ctx, o, hooks)
	if err != nil {
		return err
	}
	logger.Info("Serving the Kubernetes API", "address", fmt.Sprintf("https://%s:%d", o.SecureServing.BindAddress, o.SecureServing.BindPort), "kubeconfig", o.KubeconfigPath())
	fmt.Printf("skiff is starting; to use it:\n  export KUBECONFIG=%s\n  kubectl get namespaces\n", o.KubeconfigPath())
	return srv.Run(ctx)
}
