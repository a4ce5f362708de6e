package containerd_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
)

// shortDir is a temporary data directory with a path short enough for containerd's socket.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "skiff-ctd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestStartStop(t *testing.T) {
	containerdtest.Require(t)
	dir := shortDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := containerd.Start(ctx, containerd.Config{DataDir: dir, StopTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Stop() })
	if want := "unix://" + filepath.Join(dir, "containerd", "containerd.sock"); p.Endpoint() != want {
		t.Errorf("Endpoint() = %s, want %s", p.Endpoint(), want)
	}
	for _, f := range []string{"config.toml", "containerd.log"} {
		if _, err := os.Stat(filepath.Join(dir, "containerd", f)); err != nil {
			t.Error(err)
		}
	}
	if _, err := containerd.Start(context.Background(), containerd.Config{DataDir: dir}); err == nil || !strings.Contains(err.Error(), "already serves") {
		t.Errorf("a second containerd on the same directory: %v", err)
	}

	// Cancelling the context stops it with SIGTERM.
	pid := p.Pid()
	cancel()
	select {
	case <-p.Exited():
	case <-time.After(30 * time.Second):
		t.Fatal("containerd did not exit after its context ended")
	}
	// containerd 1.6 may exit 1 ("serve failure ... the server has been stopped") when SIGTERM comes
	// within milliseconds of its start, so its status is not checked here.
	t.Logf("containerd exited: %v", p.Err())
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists: %v", pid, err)
	}

	// It starts again on the same directory, and Stop stops it.
	p2, err := containerd.Start(context.Background(), containerd.Config{DataDir: dir})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if err := p2.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	select {
	case <-p2.Exited():
	default:
		t.Error("Stop returned before containerd exited")
	}
	if err := p2.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStartReportsEarlyExit(t *testing.T) {
	dir := shortDir(t)
	_, err := containerd.Start(context.Background(), containerd.Config{DataDir: dir, Containerd: "/bin/false", Runc: "/bin/true", StartTimeout: 20 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "containerd exited") {
		t.Errorf("Start with a containerd that exits: %v", err)
	}
}
