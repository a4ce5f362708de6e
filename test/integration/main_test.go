// Package integration tests the apiserver in-process: one real server on embedded etcd per
// test binary, each test in its own namespace.
package integration

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// testServer is shared by every test of the package.
var testServer *framework.Server

func TestMain(m *testing.M) {
	s, err := framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting apiserver:", err)
		os.Exit(1)
	}
	testServer = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}
