package app

import (
	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/skiff-sh/skiff/controllers"
)

// newControllerManagerCommand runs the controller manager alone against a cluster's API.
func newControllerManagerCommand() *cobra.Command {
	o := controllers.NewOptions()
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "controller-manager",
		Short: "Run skiff's controller manager against an API server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			config, err := clientConfig(kubeconfig, "skiff-controller-manager", 1000, 2000)
			if err != nil {
				return err
			}
			return controllers.Run(genericapiserver.SetupSignalContext(), config, o)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", kubeconfig, "Kubeconfig of the API server.")
	o.AddFlags(cmd.Flags())
	return cmd
}
