package app

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"k8s.io/component-base/version"
)

func newVersionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of skiff and the Kubernetes API it serves",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := version.Get()
			if output == "json" {
				out, err := json.MarshalIndent(info, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), string(out))
				return err
			}
			// skiff's version is the Kubernetes release it serves with a -skiff.<commit> suffix.
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "skiff %s (Kubernetes API v%s.%s, %s, %s)\n", info.GitVersion, info.Major, info.Minor, info.GoVersion, info.Platform)
			return err
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "Output format: '' or json.")
	return cmd
}
