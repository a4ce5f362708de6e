package kubelet_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// srv is the apiserver the integration tests talk to.
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
