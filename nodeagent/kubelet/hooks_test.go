package kubelet_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/kubelet"
)

// fakeHooks is a tiny HookRunner: it records the hooks it runs; exec hooks whose command is
// "fail" fail.
type fakeHooks struct {
	mu  sync.Mutex
	ran []string // container/command/containerID
}

func (f *fakeHooks) Run(_ context.Context, _ *corev1.Pod, c *corev1.Container, id string, h *corev1.LifecycleHandler) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ran = append(f.ran, c.Name+"/"+h.Exec.Command[0]+"/"+id)
	if h.Exec.Command[0] == "fail" {
		return "Exec lifecycle hook ([fail]) for Container \"" + c.Name + "\" failed", errors.New("exit 1")
	}
	return "", nil
}

func (f *fakeHooks) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ran)
}

// fakeEnv is a tiny EnvResolver: the container's literal env plus FROM_RESOLVER.
type fakeEnv struct{}

func (fakeEnv) Env(_ context.Context, _ *corev1.Pod, c *corev1.Container, podIP string, _ []string) ([]*runtimeapi.KeyValue, error) {
	out := []*runtimeapi.KeyValue{{Key: "FROM_RESOLVER", Value: []byte("resolved-" + podIP)}}
	for _, e := range c.Env {
		out = append(out, &runtimeapi.KeyValue{Key: e.Name, Value: []byte(e.Value)})
	}
	return out, nil
}

// TestHooksAndEnv: postStart runs after the start (a failing one kills the container with
// upstream's event), preStop runs on deletion, and the EnvResolver's variables reach the
// container and its command's $(VAR) expansion.
func TestHooksAndEnv(t *testing.T) {
	hooks := &fakeHooks{}
	n := newNodeWith(t, func(o *kubelet.Options) { o.Hooks, o.Env = hooks, fakeEnv{} })
	ctx := context.Background()
	ns := srv.Namespace(t)
	hook := func(cmd string) *corev1.LifecycleHandler {
		return &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{cmd}}}
	}
	pod := n.pod(ns, "hooks", corev1.RestartPolicyAlways, "sh", "-c", "echo $(FROM_RESOLVER) > /tmp/expanded; exec sleep 3600")
	pod.Spec.Containers[0].Lifecycle = &corev1.Lifecycle{PostStart: hook("ok"), PreStop: hook("stop")}
	bad := pod.Spec.Containers[0]
	bad.Name, bad.Command, bad.Lifecycle = "bad", []string{"sleep", "3600"}, &corev1.Lifecycle{PostStart: hook("fail")}
	pod.Spec.Containers = append(pod.Spec.Containers, bad)
	pod = n.create(t, pod)

	got := n.waitPod(t, pod, time.Minute, "restarting the container whose postStart fails", func(p *corev1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 2 && p.Status.ContainerStatuses[1].RestartCount >= 1 &&
			p.Status.ContainerStatuses[0].State.Running != nil
	})
	n.waitEvent(t, got, "FailedPostStartHook", "PostStartHook failed")
	n.waitEvent(t, got, "Killing", "FailedPostStartHook")
	mainID := strings.TrimPrefix(got.Status.ContainerStatuses[0].ContainerID, "containerd://")
	if !slices.Contains(hooks.calls(), "main/ok/"+mainID) {
		t.Errorf("postStart of main not run with its container ID: %v", hooks.calls())
	}

	// The resolver's variable is in the environment and was expanded in the command.
	for _, cmd := range []string{"echo $FROM_RESOLVER", "cat /tmp/expanded"} {
		want := "resolved-" + got.Status.PodIP + "\n"
		out, _, err := n.env.Runtime.ExecSync(ctx, mainID, []string{"sh", "-c", cmd}, 10*time.Second)
		if err != nil || string(out) != want {
			t.Errorf("%s: %q %v, want %q", cmd, out, err, want)
		}
	}

	if err := n.client.CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](3)}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return slices.Contains(hooks.calls(), "main/stop/"+mainID), nil
	})
	if err != nil {
		t.Errorf("preStop not run: %v", hooks.calls())
	}
}
