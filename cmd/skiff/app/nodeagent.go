package app

import (
	"github.com/spf13/cobra"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/agent"
	"github.com/skiff-sh/skiff/nodeagent/simulated"
)

// newNodeAgentCommand runs the node agent against a cluster's API: a real node on containerd, or
// --simulate N simulated nodes.
func newNodeAgentCommand() *cobra.Command {
	o := simulated.NewOptions()
	a := agent.NewOptions()
	a.DataDir = "/var/lib/skiff"
	var kubeconfig string
	cmd := &cobra.Command{
		Use:   "nodeagent",
		Short: "Run skiff's node agent against an API server",
		Long: "Run a node of a cluster: by default a real one, whose pods run on containerd (started under\n" +
			"--data-dir, or the one at --container-runtime-endpoint), with the kubelet API, the Service proxy\n" +
			"and the cluster DNS; with --simulate N, N simulated nodes instead.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := genericapiserver.SetupSignalContext()
			if o.Nodes > 0 {
				config, err := clientConfig(kubeconfig, "skiff-nodeagent", 5000, 10000)
				if err != nil {
					return err
				}
				return simulated.Run(ctx, config, o)
			}
			if !cmd.Flags().Changed("root-dir") {
				a.Kubelet.RootDir = "" // under --data-dir
			}
			config, err := clientConfig(kubeconfig, "skiff-nodeagent", 50, 100)
			if err != nil {
				return err
			}
			ctx = klog.NewContext(ctx, klog.Background().WithName("nodeagent"))
			return agent.Run(ctx, config, a)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&kubeconfig, "kubeconfig", kubeconfig, "Kubeconfig of the API server.")
	fs.IntVar(&o.Nodes, "simulate", o.Nodes, "Number of simulated nodes to run; 0 runs this machine as a real node.")
	o.AddFlags(fs)
	fs.StringVar(&a.DataDir, "data-dir", a.DataDir, "Directory for the node's state: containerd's root and socket, the CNI configuration, the kubelet's files.")
	fs.StringVar(&a.ContainerRuntime, "container-runtime", a.ContainerRuntime, "Container runtime pods run on: containerd.")
	fs.StringVar(&a.TLSCertFile, "tls-cert-file", a.TLSCertFile, "Serving certificate of the kubelet API; default a self-signed one under --root-dir/pki.")
	fs.StringVar(&a.TLSKeyFile, "tls-private-key-file", a.TLSKeyFile, "Key of --tls-cert-file.")
	fs.StringVar(&a.ClientCAFile, "client-ca-file", a.ClientCAFile, "CA bundle that verifies the kubelet API's client certificates.")
	a.AddFlags(fs)
	return cmd
}
