package prober_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/tools/record"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
	"github.com/skiff-sh/skiff/nodeagent/prober"
)

// TestProbesAndHooksOnContainerd runs a busybox pod on a real containerd: its exec readiness
// probe `cat /tmp/healthy` fails until the file exists, its HTTP liveness probe (busybox httpd
// serving /tmp over the bridge) fails once the file is gone, an exec startup probe of a second
// container times out, and postStart-style exec and HTTP hooks run in the container.
func TestProbesAndHooksOnContainerd(t *testing.T) {
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{})
	rt := env.Runtime
	ctx := context.Background()

	uid := uuid.NewString()
	sandbox := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: "probed", Namespace: "default", Uid: uid},
		Hostname:     "probed",
		LogDirectory: filepath.Join(env.Dir, "pods", uid),
		Labels:       cri.PodLabels("default", "probed", uid),
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent:    env.CgroupParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: &runtimeapi.NamespaceOption{Pid: runtimeapi.NamespaceMode_CONTAINER}},
		},
	}
	if err := os.MkdirAll(sandbox.LogDirectory, 0o755); err != nil {
		t.Fatal(err)
	}
	podID, err := rt.RunPodSandbox(ctx, sandbox, "")
	if err != nil {
		t.Fatal(err)
	}
	sbStatus, err := rt.PodSandboxStatus(ctx, podID, false)
	if err != nil {
		t.Fatal(err)
	}
	podIP := sbStatus.GetStatus().GetNetwork().GetIp()
	start := func(name string, command ...string) string {
		t.Helper()
		id, err := rt.CreateContainer(ctx, podID, &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: images.BusyboxImageName},
			Command:  command,
			LogPath:  name + ".log",
			Labels:   map[string]string{cri.LabelPodUID: uid, cri.LabelContainerName: name},
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{Pid: runtimeapi.NamespaceMode_CONTAINER}}},
		}, sandbox)
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.StartContainer(ctx, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	// As PID 1, sh only gets the signals it traps.
	appID := start("app", "sh", "-c", `trap "exit 0" TERM; mkdir -p /www; httpd -p 8080 -h /www; while true; do sleep 0.1; done`)
	slowID := start("slow", "sh", "-c", `trap "exit 0" TERM; while true; do sleep 0.1; done`)

	execProbe := func(cmd ...string) corev1.ProbeHandler {
		return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: cmd}}
	}
	app := corev1.Container{Name: "app", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
		Env: []corev1.EnvVar{{Name: "HEALTH_FILE", Value: "/tmp/healthy"}},
		ReadinessProbe: &corev1.Probe{ProbeHandler: execProbe("cat", "$(HEALTH_FILE)"),
			PeriodSeconds: 1, TimeoutSeconds: 5, FailureThreshold: 1, SuccessThreshold: 1},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/alive", Port: intstr.FromString("http")}},
			PeriodSeconds: 1, TimeoutSeconds: 5, FailureThreshold: 2, SuccessThreshold: 1},
	}
	slow := corev1.Container{Name: "slow",
		StartupProbe: &corev1.Probe{ProbeHandler: execProbe("sleep", "10"), PeriodSeconds: 1, TimeoutSeconds: 1, FailureThreshold: 1, SuccessThreshold: 1}}
	now := metav1.Now()
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "probed", Namespace: "default", UID: types.UID(uid)},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{app, slow}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, PodIP: podIP, ContainerStatuses: []corev1.ContainerStatus{
			{Name: "app", ContainerID: "containerd://" + appID, State: running},
			{Name: "slow", ContainerID: "containerd://" + slowID, State: running},
		}},
	}

	// The file /www/alive makes the liveness probe pass before the manager starts.
	if _, _, err := rt.ExecSync(ctx, appID, []string{"touch", "/www/alive"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	rec := record.NewFakeRecorder(1000)
	m := prober.NewManager(prober.Config{Runtime: rt, Recorder: rec})
	t.Cleanup(m.Stop)
	m.AddPod(pod)

	var events []string
	waitEvent := func(prefix string) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case e := <-rec.Events:
				events = append(events, e)
				if strings.HasPrefix(e, prefix) {
					return
				}
			case <-deadline:
				t.Fatalf("no event %q; got %q", prefix, events)
			}
		}
	}
	appStatus := func() corev1.ContainerStatus {
		st := pod.Status.DeepCopy()
		m.UpdatePodStatus(pod, st)
		return st.ContainerStatuses[0]
	}
	waitReady := func(want bool) {
		t.Helper()
		if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
			return appStatus().Ready == want, nil
		}); err != nil {
			t.Fatalf("app never became ready=%v", want)
		}
	}

	waitEvent("Warning Unhealthy Readiness probe failed: cat: can't open '/tmp/healthy': No such file or directory")
	if cs := appStatus(); cs.Ready || cs.Started == nil || !*cs.Started {
		t.Errorf("before /tmp/healthy: %+v", cs)
	}
	if _, _, err := rt.ExecSync(ctx, appID, []string{"touch", "/tmp/healthy"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	waitReady(true)

	// The exec startup probe of slow times out.
	waitEvent("Warning Unhealthy Startup probe failed: command timed out")
	f := <-m.LivenessFailures()
	if f.Container != "slow" || f.Probe != "Startup" || f.Message != "Container slow failed startup probe" {
		t.Errorf("startup failure %+v", f)
	}

	// Liveness over the bridge: 404 twice, then a failure for the kubelet.
	if _, _, err := rt.ExecSync(ctx, appID, []string{"rm", "/www/alive"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	waitEvent("Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 404")
	select {
	case f := <-m.LivenessFailures():
		if f.Container != "app" || f.Probe != "Liveness" || f.Message != "Container app failed liveness probe" {
			t.Errorf("liveness failure %+v", f)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no liveness failure")
	}

	// Hooks: exec writes a file; a failing exec has upstream's message; HTTP finds the pod's IP
	// through its sandbox when the status has none yet.
	hooks := prober.NewHookRunner(rt)
	hook := &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "echo started > /tmp/poststart"}}}
	if msg, err := hooks.Run(ctx, pod, &app, "containerd://"+appID, hook); err != nil {
		t.Fatalf("exec hook: %s", msg)
	}
	if out, _, err := rt.ExecSync(ctx, appID, []string{"cat", "/tmp/poststart"}, 10*time.Second); err != nil || string(out) != "started\n" {
		t.Errorf("hook's file: %q, %v", out, err)
	}
	hook = &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: []string{"sh", "-c", "echo nope; exit 3"}}}
	msg, err := hooks.Run(ctx, pod, &app, "containerd://"+appID, hook)
	wantPrefix := `Exec lifecycle hook ([sh -c echo nope; exit 3]) for Container "app" in Pod "probed_default(` + uid + `)" failed - error: command 'sh -c echo nope; exit 3' exited with 3`
	if err == nil || !strings.HasPrefix(msg, wantPrefix) || !strings.HasSuffix(msg, `message: "nope\n"`) {
		t.Errorf("failing exec hook: %q", msg)
	}
	if _, _, err := rt.ExecSync(ctx, appID, []string{"touch", "/www/hook"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	noIP := pod.DeepCopy()
	noIP.Status.PodIP = ""
	hook = &corev1.LifecycleHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/hook", Port: intstr.FromInt32(8080)}}
	if msg, err := hooks.Run(ctx, noIP, &app, "containerd://"+appID, hook); err != nil {
		t.Errorf("http hook: %s", msg)
	}

	m.RemovePod(pod)
	m.Stop()
	t.Logf("events: %q", events)
}
