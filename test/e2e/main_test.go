package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/skiff-sh/skiff/test/e2e/framework"
)

var (
	// skiffBinary is $SKIFF_E2E_BINARY; empty means the tests skip.
	skiffBinary string
	// kubectlPath is $KUBECTL, or kubectl from PATH.
	kubectlPath string
	// workDir holds the data dirs and logs of every server the tests start.
	workDir string
	// cluster is the server shared by every test but the restart test, which starts its own.
	cluster *framework.Server
)

// clusterArgs give the shared cluster three simulated nodes whose heartbeats (and the node
// lifecycle controller's patience) are short enough for a test to watch a node go away.
var clusterArgs = []string{
	"--simulated-nodes=3",
	"--simulated-lease-duration=8s", "--simulated-lease-renew-interval=2s",
	"--node-monitor-grace-period=10s",
}

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	skiffBinary = os.Getenv("SKIFF_E2E_BINARY")
	if skiffBinary == "" {
		fmt.Println("e2e: SKIFF_E2E_BINARY is not set, skipping (hack/e2e/run.sh sets it)")
		return m.Run()
	}
	var err error
	if skiffBinary, err = filepath.Abs(skiffBinary); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	kubectlPath = os.Getenv("KUBECTL")
	if kubectlPath == "" {
		if kubectlPath, err = exec.LookPath("kubectl"); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: no kubectl on PATH and KUBECTL is not set")
			return 1
		}
	}
	if workDir, err = os.MkdirTemp("", "skiff-e2e-"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	cluster, err = framework.NewServer(skiffBinary, filepath.Join(workDir, "cluster"))
	if err == nil {
		cluster.Args = clusterArgs

		err = cluster.Start(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: starting skiff:", err)
		_ = cluster.Kill()
		fmt.Fprintln(os.Stderr, "e2e: logs and data kept in", workDir)
		return 1
	}
	fmt.Printf("e2e: skiff %s on port %d, kubectl %s, work dir %s\n", skiffBinary, cluster.Port, kubectlPath, workDir)

	code := m.Run()

	if err := cluster.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: stopping skiff:", err)
	}
	if code != 0 || os.Getenv("SKIFF_E2E_KEEP") != "" {
		fmt.Println("e2e: logs and data kept in", workDir)
	} else {
		_ = os.RemoveAll(workDir)
	}
	return code
}
