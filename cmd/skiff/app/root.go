// Package app holds the skiff command and its subcommands, one file each.
package app

import (
	"github.com/spf13/cobra"
)

// NewCommand returns the skiff root command.
func NewCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "skiff",
		Short: "A small, complete Kubernetes-compatible cluster in one binary",
		// Errors are printed by cli.Run; usage only on flag errors.
		SilenceUsage: true,
	}
	cmd.AddCommand(newServerCommand(), newAPIServerCommand(), newControllerManagerCommand(), newSchedulerCommand(), newNodeAgentCommand(), newImagesCommand(), newVersionCommand())
	return cmd
}
