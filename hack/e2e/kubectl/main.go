// Command kubectl is stock kubectl built from k8s.io/kubectl at the Kubernetes version skiff serves.
// It exists for machines without /usr/bin/kubectl: .ci/run builds it into bin/kubectl when that is
// missing, so the e2e suite needs nothing beyond the Go module proxy.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
	"k8s.io/kubectl/pkg/cmd/util"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		util.CheckErr(err)
	}
	os.Exit(0)
}
