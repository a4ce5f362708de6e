// Command skiff runs a Kubernetes-compatible cluster from one binary.
package main

import (
	"os"

	"k8s.io/component-base/cli"

	"github.com/skiff-sh/skiff/cmd/skiff/app"
)

func main() {
	os.Exit(cli.Run(app.NewCommand()))
}
