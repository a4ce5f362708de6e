package app

import (
	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/skiff-sh/skiff/scheduler"
)

// newSchedulerCommand runs the scheduler alone against a cluster's API.
func newSchedulerCommand() *cobra.Command {
	o := scheduler.NewOptions()
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "scheduler",
		Short: "Run skiff's scheduler against an API server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			config, err := clientConfig(kubeconfig, "skiff-scheduler", 5000, 10000)
			if err != nil {
				return err
			}
			return scheduler.Run(genericapiserver.SetupSignalContext(), config, o)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", kubeconfig, "Kubeconfig of the API server.")
	o.AddFlags(cmd.Flags())
	return cmd
}
