package runtime

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
)

// TestRestartKeepsPods stops the node (the server that runs it, or skiff nodeagent) and starts
// it again, gracefully and by SIGKILL: its pods keep running while the node is down (as with k3s,
// containerd's shims outlive it) and the node takes them back unchanged.
func TestRestartKeepsPods(t *testing.T) {
	for _, tt := range []struct {
		name string
		stop func() error // stops the node's process
	}{
		{name: "SIGTERM", stop: func() error {
			if nodeAgent != nil {
				return nodeAgent.stop()
			}
			return cluster.Stop()
		}},
		{name: "SIGKILL", stop: func() error {
			if nodeAgent != nil {
				return nodeAgent.kill()
			}
			return cluster.Kill()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.apply(busyboxPod("survivor", "Always", "sleep 3600"))
			e.waitPhase("survivor", "Running")
			id := e.podField("survivor", "{.status.containerStatuses[0].containerID}")
			if !strings.HasPrefix(id, "containerd://") {
				t.Fatalf("container ID %q", id)
			}
			if err := tt.stop(); err != nil {
				t.Fatalf("stopping the node: %v", err)
			}
			if nodeAgent == nil {
				if err := cluster.Start(context.Background()); err != nil {
					t.Fatalf("starting skiff again: %v", err)
				}
			}
			if err := startNode(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := e.podField("survivor", "{.status.containerStatuses[0].containerID}"); got != id {
				t.Errorf("container %s was replaced by %s", id, got)
			}
			// The restarted node's containerd and kubelet API reach the container (the Node may look
			// Ready a while before the new kubelet API serves).
			e.waitFor("exec after the restart", podTimeout, func() (bool, error) {
				r := e.kubectl("exec", "survivor", "--", "echo", "still-here")
				return r.OK() && strings.TrimSpace(r.Stdout) == "still-here", nil
			})
			if n := e.podField("survivor", "{.status.containerStatuses[0].restartCount}"); n != "0" {
				t.Errorf("restartCount %s, want 0", n)
			}
		})
	}
}

// TestContainerdCrashKeepsPods kills the node's containerd: the node agent starts it again, the
// running pod keeps its container, and the node runs new pods afterwards.
func TestContainerdCrashKeepsPods(t *testing.T) {
	e := setup(t)
	e.apply(busyboxPod("survivor", "Always", "sleep 3600"))
	e.waitPhase("survivor", "Running")
	id := e.podField("survivor", "{.status.containerStatuses[0].containerID}")

	config := filepath.Join(containerd.Dir(nodeDataDir()), "config.toml")
	out, err := exec.Command("pgrep", "-f", "^[^ ]*containerd --config "+config+"$").Output()
	pids := strings.Fields(string(out))
	if err != nil || len(pids) != 1 {
		t.Fatalf("finding the node's containerd (%s): %v %q", config, err, out)
	}
	pid, _ := strconv.Atoi(pids[0])
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing containerd %d: %v", pid, err)
	}
	e.waitFor("a new containerd", podTimeout, func() (bool, error) {
		out, _ := exec.Command("pgrep", "-f", "^[^ ]*containerd --config "+config+"$").Output()
		now := strings.Fields(string(out))
		return len(now) == 1 && now[0] != pids[0], nil
	})
	e.waitFor("exec after containerd came back", podTimeout, func() (bool, error) {
		r := e.kubectl("exec", "survivor", "--", "echo", "still-here")
		return r.OK() && strings.TrimSpace(r.Stdout) == "still-here", nil
	})
	if got := e.podField("survivor", "{.status.containerStatuses[0].containerID}"); got != id {
		t.Errorf("container %s was replaced by %s", id, got)
	}
	if n := e.podField("survivor", "{.status.containerStatuses[0].restartCount}"); n != "0" {
		t.Errorf("restartCount %s, want 0", n)
	}
	e.apply(busyboxPod("newcomer", "Never", "echo born-after-the-crash"))
	e.waitPhase("newcomer", "Succeeded")
}
