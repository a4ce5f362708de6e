package kubelet

import (
	"net"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	testclock "k8s.io/utils/clock/testing"
)

func instance(id, name string, restarts int, state runtimeapi.ContainerState, exit int32) *runtimeContainer {
	return &runtimeContainer{id: id, name: name, sandboxID: "sb", restartCount: restarts, status: &runtimeapi.ContainerStatus{
		Id: id, State: state, ExitCode: exit, Reason: map[bool]string{true: "Completed", false: "Error"}[exit == 0],
		StartedAt: time.Unix(100, 0).UnixNano(), FinishedAt: time.Unix(200, 0).UnixNano(),
		Image: &runtimeapi.ImageSpec{Image: "docker.io/library/busybox:1"}, ImageRef: "sha256:img",
	}}
}

func TestGenerateStatus(t *testing.T) {
	k := &Kubelet{o: NewOptions(), clock: testclock.NewFakeClock(time.Unix(1000, 0)), nodeIPs: []net.IP{net.ParseIP("192.168.1.2")}, criName: "containerd"}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1", Generation: 2},
		Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways, Containers: []corev1.Container{
			{Name: "web", Image: "busybox:1"}, {Name: "crash", Image: "busybox:1"}, {Name: "new", Image: "busybox:1"},
		}},
	}
	sandbox := &runtimeapi.PodSandboxStatus{Id: "sb", State: runtimeapi.PodSandboxState_SANDBOX_READY,
		Network: &runtimeapi.PodSandboxNetworkStatus{Ip: "10.244.0.7", AdditionalIps: []*runtimeapi.PodIP{{Ip: "fd00::7"}}}}
	rt := &podRuntime{
		sandboxes: []*runtimeapi.PodSandbox{{Id: "sb", State: runtimeapi.PodSandboxState_SANDBOX_READY, Metadata: &runtimeapi.PodSandboxMetadata{}}},
		sandbox:   sandbox,
		containers: []*runtimeContainer{
			instance("web1", "web", 1, runtimeapi.ContainerState_CONTAINER_RUNNING, 0),
			instance("crash2", "crash", 2, runtimeapi.ContainerState_CONTAINER_EXITED, 1),
			instance("web0", "web", 0, runtimeapi.ContainerState_CONTAINER_EXITED, 137),
			instance("crash1", "crash", 1, runtimeapi.ContainerState_CONTAINER_EXITED, 1),
		},
	}
	w := &podWorker{waiting: map[string]waitingReason{
		"crash": {reasonCrashLoopBackOff, "back-off 20s restarting failed container=crash pod=p_ns(u1)"},
		"new":   {reasonErrImagePull, "pull failed"},
	}}
	s := k.generateStatus(pod, rt, w, false)

	if s.Phase != corev1.PodPending || s.PodIP != "10.244.0.7" || len(s.PodIPs) != 2 || s.HostIP != "192.168.1.2" ||
		s.QOSClass != corev1.PodQOSBestEffort || s.ObservedGeneration != 2 || s.StartTime == nil {
		t.Errorf("pod fields: phase %s ip %s ips %v host %s qos %s gen %d start %v", s.Phase, s.PodIP, s.PodIPs, s.HostIP, s.QOSClass, s.ObservedGeneration, s.StartTime)
	}
	web, crash, fresh := s.ContainerStatuses[0], s.ContainerStatuses[1], s.ContainerStatuses[2]
	if web.State.Running == nil || web.RestartCount != 1 || web.ContainerID != "containerd://web1" || !web.Ready ||
		web.Image != "docker.io/library/busybox:1" || web.ImageID != "sha256:img" ||
		web.LastTerminationState.Terminated == nil || web.LastTerminationState.Terminated.ExitCode != 137 {
		t.Errorf("web %+v", web)
	}
	if crash.State.Waiting == nil || crash.State.Waiting.Reason != "CrashLoopBackOff" || crash.RestartCount != 2 ||
		crash.LastTerminationState.Terminated == nil || crash.LastTerminationState.Terminated.ContainerID != "containerd://crash2" || crash.Ready {
		t.Errorf("crash %+v", crash)
	}
	if fresh.State.Waiting == nil || fresh.State.Waiting.Reason != "ErrImagePull" || fresh.State.Waiting.Message != "pull failed" ||
		fresh.ContainerID != "" || fresh.Image != "busybox:1" {
		t.Errorf("new %+v", fresh)
	}

	// Once the pod is deleted and stopped, the crash-looping container shows its last exit.
	s = k.generateStatus(pod, rt, w, true)
	if c := s.ContainerStatuses[1]; c.State.Terminated == nil || c.State.Terminated.ExitCode != 1 {
		t.Errorf("terminal crash %+v", c)
	}
	if s.ContainerStatuses[2].State.Waiting.Reason != reasonContainerCreating {
		t.Errorf("terminal new %+v", s.ContainerStatuses[2])
	}
	if s.Phase != corev1.PodPending {
		t.Errorf("terminal phase with a container that never ran: %s", s.Phase)
	}
}

func TestSandboxNotReady(t *testing.T) {
	ready := &runtimeapi.PodSandbox{Id: "a", State: runtimeapi.PodSandboxState_SANDBOX_READY}
	notReady := &runtimeapi.PodSandbox{Id: "b", State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY}
	withIP := &runtimeapi.PodSandboxStatus{State: runtimeapi.PodSandboxState_SANDBOX_READY, Network: &runtimeapi.PodSandboxNetworkStatus{Ip: "10.0.0.1"}}
	noIP := &runtimeapi.PodSandboxStatus{State: runtimeapi.PodSandboxState_SANDBOX_READY}
	stopped := &runtimeapi.PodSandboxStatus{State: runtimeapi.PodSandboxState_SANDBOX_NOTREADY}
	tests := []struct {
		name string
		rt   *podRuntime
		host bool
		want string
	}{
		{"none", &podRuntime{}, false, "no pod sandbox exists"},
		{"ready", &podRuntime{sandboxes: []*runtimeapi.PodSandbox{ready}, sandbox: withIP}, false, ""},
		{"stopped", &podRuntime{sandboxes: []*runtimeapi.PodSandbox{notReady}, sandbox: stopped}, false, "pod sandbox is not ready"},
		{"two ready", &podRuntime{sandboxes: []*runtimeapi.PodSandbox{ready, ready}, sandbox: withIP}, false, "multiple pod sandboxes are ready and need to be reconciled"},
		{"no IP", &podRuntime{sandboxes: []*runtimeapi.PodSandbox{ready}, sandbox: noIP}, false, "pod sandbox has no IP address"},
		{"host network needs no IP", &podRuntime{sandboxes: []*runtimeapi.PodSandbox{ready}, sandbox: noIP}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{HostNetwork: tt.host}}
			if got := sandboxNotReady(pod, tt.rt); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
