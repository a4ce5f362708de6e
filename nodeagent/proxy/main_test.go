package proxy

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

// The apiserver is started by the first test that needs it, so the pure tests run without one.
var (
	srvOnce sync.Once
	srv     *framework.Server
	srvErr  error
)

func server(t *testing.T) *framework.Server {
	t.Helper()
	srvOnce.Do(func() { srv, srvErr = framework.Start(context.Background(), "") })
	if srvErr != nil {
		t.Fatalf("starting apiserver: %v", srvErr)
	}
	return srv
}

func TestMain(m *testing.M) {
	code := m.Run()
	if srv != nil {
		srv.Stop()
	}
	os.Exit(code)
}
