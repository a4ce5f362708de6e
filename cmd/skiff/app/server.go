package app

import (
	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/skiff-sh/skiff/apis/server"
)

// newServerCommand runs the whole cluster in one process. Today that is the API server on
// embedded etcd; the controller manager, scheduler and node agent join it as post-start hooks.
func newServerCommand() *cobra.Command {
	o := server.NewOptions()
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a whole skiff cluster in this process",
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
