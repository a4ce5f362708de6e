package agent

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// srv is the in-process API server of the package's integration tests, nil when -short.
var srv *framework.Server

func TestMain(m *testing.M) {
	s, err := framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting apiserver:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}
