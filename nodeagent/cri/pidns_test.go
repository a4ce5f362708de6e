package cri_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
)

// TestSharedPIDNamespace runs a pod whose containers share its PID namespace (shareProcessNamespace):
// skiff's pause is PID 1 and reaps the processes orphaned in it.
func TestSharedPIDNamespace(t *testing.T) {
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{})
	rt := env.Runtime
	ctx := context.Background()
	sandbox, _ := podConfig(t, env, "shared", runtimeapi.NamespaceMode_POD)
	podID, err := rt.RunPodSandbox(ctx, sandbox, "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := rt.CreateContainer(ctx, podID, containerConfig("main", runtimeapi.NamespaceMode_POD,
		"sh", "-c", `trap "exit 0" TERM; while true; do sleep 0.1; done`), sandbox)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	exec := func(cmd string) string {
		t.Helper()
		out, _, err := rt.ExecSync(ctx, id, []string{"sh", "-c", cmd}, 10*time.Second)
		if err != nil {
			t.Fatalf("exec %q: %v", cmd, err)
		}
		return string(out)
	}
	if got := exec("tr '\\0' ' ' </proc/1/cmdline"); strings.TrimSpace(got) != "/pause" {
		t.Fatalf("PID 1 of the pod is %q, want /pause", got)
	}
	// The exec's sh exits at once; its "sleep 1.5" becomes pause's child, then exits. ps shows it
	// first, then neither it nor a zombie.
	exec("sleep 1.5 </dev/null >/dev/null 2>&1 &")
	saw := false
	var ps string
	err = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		ps = exec("ps -o pid,ppid,stat,args")
		switch {
		case hasZombie(ps):
			return false, nil // a pause that does not reap leaves it until the deadline
		case strings.Contains(ps, "sleep 1.5"):
			saw = true
			return false, nil
		}
		return saw, nil
	})
	if err != nil {
		t.Fatalf("orphan seen %v; ps now:\n%s", saw, ps)
	}
	if err := rt.StopPodSandbox(ctx, podID); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemovePodSandbox(ctx, podID); err != nil {
		t.Fatal(err)
	}
	if err := env.Teardown(); err != nil {
		t.Errorf("teardown had to clean up: %v", err)
	}
	if left := env.Leftovers(); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

// hasZombie reports whether busybox ps output (pid, ppid, stat, args) lists a zombie.
func hasZombie(ps string) bool {
	for _, line := range strings.Split(ps, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(f[2], "Z") {
			return true
		}
	}
	return false
}
