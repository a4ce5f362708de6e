package app

import (
	"fmt"

	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/skiff-sh/skiff/nodeagent/simulated"
)

// newNodeAgentCommand runs the node agent against a cluster's API. Today that is simulated
// nodes only (--simulate N).
func newNodeAgentCommand() *cobra.Command {
	o := simulated.NewOptions()
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "nodeagent",
		Short: "Run skiff's node agent against an API server",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Nodes <= 0 {
				return fmt.Errorf("--simulate must be at least 1 (real nodes on containerd are not supported yet)")
			}
			config, err := clientConfig(kubeconfig, "skiff-nodeagent", 5000, 10000)
			if err != nil {
				return err
			}
			return simulated.Run(genericapiserver.SetupSignalContext(), config, o)
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", kubeconfig, "Kubeconfig of the API server.")
	cmd.Flags().IntVar(&o.Nodes, "simulate", o.Nodes, "Number of simulated nodes to run.")
	o.AddFlags(cmd.Flags())
	return cmd
}
