package kubelet_test

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/kubelet"
)

// TestReadinessAndLiveness: readiness comes from the ProbeManager, and a liveness failure kills
// and restarts the container with upstream's event.
func TestReadinessAndLiveness(t *testing.T) {
	prober := &fakeProber{failures: make(chan kubelet.ProbeFailure, 1)}
	n := newNodeWith(t, func(o *kubelet.Options) { o.Probes = prober })
	pod := n.create(t, n.pod(srv.Namespace(t), "probed", corev1.RestartPolicyAlways, "sleep", "3600"))
	got := n.waitPod(t, pod, time.Minute, "Running and not ready", func(p *corev1.Pod) bool {
		c := condition(p, corev1.PodReady)
		return p.Status.Phase == corev1.PodRunning && c != nil && c.Status == corev1.ConditionFalse && c.Reason == "ContainersNotReady"
	})
	prober.ready.Store(true)
	n.waitPod(t, pod, 30*time.Second, "Ready", isReady)
	n.waitEvent(t, got, "Started", "Container started")

	prober.failures <- kubelet.ProbeFailure{Pod: got.UID, Container: "main", Probe: "Liveness", Message: "boom"}
	after := n.waitPod(t, pod, time.Minute, "restarted", func(p *corev1.Pod) bool {
		return len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].RestartCount == 1 && isReady(p)
	})
	if after.Status.ContainerStatuses[0].ContainerID == got.Status.ContainerStatuses[0].ContainerID {
		t.Error("same container after the liveness failure")
	}
	n.waitEvent(t, got, "Killing", "Container main failed liveness probe, will be restarted")
}

// TestImageErrors: a missing image with pull policy Never waits in ErrImageNeverPull; a pull
// that fails (nothing listens on the registry port) waits in ErrImagePull, then ImagePullBackOff.
func TestImageErrors(t *testing.T) {
	n := newNode(t)
	ns := srv.Namespace(t)
	never := n.pod(ns, "never", corev1.RestartPolicyAlways, "sleep", "1")
	never.Spec.Containers[0].Image, never.Spec.Containers[0].ImagePullPolicy = "localhost/missing:1", corev1.PullNever
	never = n.create(t, never)
	got := n.waitPod(t, never, time.Minute, "in ErrImageNeverPull", func(p *corev1.Pod) bool {
		return waitingReason(p) == "ErrImageNeverPull"
	})
	if msg := got.Status.ContainerStatuses[0].State.Waiting.Message; msg != `Container image "localhost/missing:1" is not present with pull policy of Never` {
		t.Errorf("message %q", msg)
	}
	if got.Status.Phase != corev1.PodPending {
		t.Errorf("phase %s", got.Status.Phase)
	}
	n.waitEvent(t, got, "ErrImageNeverPull", "is not present with pull policy of Never")

	pull := n.pod(ns, "pull", corev1.RestartPolicyAlways, "sleep", "1")
	pull.Spec.Containers[0].Image = "127.0.0.1:1/missing:1"
	pull = n.create(t, pull)
	got = n.waitPod(t, pull, time.Minute, "in ImagePullBackOff", func(p *corev1.Pod) bool { return waitingReason(p) == "ImagePullBackOff" })
	want := `Back-off pulling image "127.0.0.1:1/missing:1": ErrImagePull: `
	if msg := got.Status.ContainerStatuses[0].State.Waiting.Message; !strings.HasPrefix(msg, want) {
		t.Errorf("back-off message %q", msg)
	}
	n.waitEvent(t, got, "Pulling", `Pulling image "127.0.0.1:1/missing:1"`)
	n.waitEvent(t, got, "Failed", `Failed to pull image "127.0.0.1:1/missing:1"`)
	n.waitEvent(t, got, "Failed", "Error: ImagePullBackOff")
}

func waitingReason(p *corev1.Pod) string {
	if len(p.Status.ContainerStatuses) == 0 || p.Status.ContainerStatuses[0].State.Waiting == nil {
		return ""
	}
	return p.Status.ContainerStatuses[0].State.Waiting.Reason
}

// TestSidecarJob: a sidecar (restartPolicy Always init container) starts before the main
// container and keeps running; when the job's container completes, the sidecar is stopped and the
// pod Succeeds.
func TestSidecarJob(t *testing.T) {
	n := newNode(t)
	pod := n.pod(srv.Namespace(t), "sidecar", corev1.RestartPolicyNever, "sh", "-c", "sleep 2")
	side := pod.Spec.Containers[0]
	side.Name, side.Command = "side", []string{"sleep", "3600"}
	side.RestartPolicy = ptr.To(corev1.ContainerRestartPolicyAlways)
	pod.Spec.InitContainers = []corev1.Container{side}
	pod = n.create(t, pod)
	running := n.waitPod(t, pod, time.Minute, "Running with the sidecar ready", func(p *corev1.Pod) bool {
		return isReady(p) && len(p.Status.InitContainerStatuses) == 1 && p.Status.InitContainerStatuses[0].State.Running != nil
	})
	if c := condition(running, corev1.PodInitialized); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("Initialized %+v", c)
	}
	done := n.waitPod(t, pod, time.Minute, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	if s := done.Status.InitContainerStatuses[0]; s.State.Terminated == nil {
		t.Errorf("sidecar not stopped: %+v", s.State)
	}
	if s := done.Status.ContainerStatuses[0]; s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 {
		t.Errorf("main container %+v", s.State)
	}
}

// TestActiveDeadline: a pod running past its activeDeadlineSeconds is stopped and Failed with
// upstream's reason and message.
func TestActiveDeadline(t *testing.T) {
	n := newNode(t)
	pod := n.pod(srv.Namespace(t), "deadline", corev1.RestartPolicyAlways, "sleep", "3600")
	pod.Spec.ActiveDeadlineSeconds = ptr.To[int64](2)
	pod = n.create(t, pod)
	got := n.waitPod(t, pod, time.Minute, "Failed", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodFailed })
	if got.Status.Reason != "DeadlineExceeded" || got.Status.Message != "Pod was active on the node longer than the specified deadline" {
		t.Errorf("reason %q message %q", got.Status.Reason, got.Status.Message)
	}
	if s := got.Status.ContainerStatuses[0].State.Terminated; s == nil {
		t.Errorf("container not stopped: %+v", got.Status.ContainerStatuses[0].State)
	}
	if c := condition(got, corev1.PodReady); c == nil || c.Reason != "PodFailed" {
		t.Errorf("Ready %+v", c)
	}
}
