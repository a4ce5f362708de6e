package app

import (
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

// newImagesCommand groups the commands on the container runtime's images.
func newImagesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "images",
		Short: "Manage the images of the node's container runtime",
	}
	cmd.AddCommand(newImagesImportCommand())
	return cmd
}

// newImagesImportCommand loads image archives into containerd without a registry.
func newImagesImportCommand() *cobra.Command {
	dataDir := filepath.Join(imagesHomeDir(), ".skiff")
	var endpoint string
	cmd := &cobra.Command{
		Use:   "import FILE...",
		Short: "Load image archives (OCI image layout or docker save tars; - for stdin) into containerd for pods to use",
		Long: "Load image archives into the containerd of the node, in its Kubernetes (k8s.io) namespace, so that\n" +
			"pods can use them without a registry (with imagePullPolicy IfNotPresent or Never). The images keep\n" +
			"the names the archives give them. By default this is the containerd `skiff server` runs under\n" +
			"--data-dir; --container-runtime-endpoint names another.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if endpoint == "" {
				endpoint = containerd.Endpoint(dataDir)
			}
			imp := &images.CtrImporter{Address: endpoint, Output: cmd.OutOrStdout()}
			for _, file := range args {
				if err := images.ImportFile(cmd.Context(), imp, file); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", dataDir, "Data directory of the skiff server whose containerd receives the images.")
	cmd.Flags().StringVar(&endpoint, "container-runtime-endpoint", endpoint, "containerd's socket (unix:///path); default: the one skiff server runs under --data-dir.")
	return cmd
}

func imagesHomeDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	return home
}
