package kubelet_test

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/kubelet"
)

// TestPodRunsAndIsDeleted registers a node, runs a busybox pod to Running/Ready with its status
// fields filled in, then deletes it with a grace period: the sandbox and the pod object go away.
func TestPodRunsAndIsDeleted(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	ns := srv.Namespace(t)

	// The node registers and turns Ready; its Lease is renewed.
	var node *corev1.Node
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		node, err = n.client.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady {
				return c.Status == corev1.ConditionTrue && c.Reason == "KubeletReady", nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("node never Ready: %+v", node)
	}
	n.waitNodeEvent(t, "Starting", "Starting kubelet.")
	n.waitNodeEvent(t, "NodeReady", "Node "+n.name+" status is now: NodeReady")
	if v := node.Status.NodeInfo.KubeletVersion; v != kubelet.Version {
		t.Errorf("kubelet version %q", v)
	}
	if v := node.Status.NodeInfo.ContainerRuntimeVersion; !strings.HasPrefix(v, "containerd://") {
		t.Errorf("container runtime version %q", v)
	}
	if node.Labels[corev1.LabelHostname] != n.name || node.Labels[corev1.LabelOSStable] != "linux" {
		t.Errorf("labels %v", node.Labels)
	}
	if q := node.Status.Capacity[corev1.ResourcePods]; q.Value() != 110 {
		t.Errorf("pod capacity %v", q.String())
	}
	if len(node.Status.Images) == 0 {
		t.Error("no images in the node status")
	}
	if node.Status.DaemonEndpoints.KubeletEndpoint.Port != 10250 {
		t.Errorf("daemon endpoints %+v", node.Status.DaemonEndpoints)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		l, err := n.client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, n.name, metav1.GetOptions{})
		return err == nil && l.Spec.RenewTime != nil && ownedByNode(l, node), nil
	})
	if err != nil {
		t.Errorf("no Lease renewed for the node: %v", err)
	}

	pod := n.pod(ns, "web", corev1.RestartPolicyAlways, "sleep", "3600")
	pod.Spec.Containers[0].Resources.Limits = corev1.ResourceList{"cpu": mustQuantity("100m"), "memory": mustQuantity("64Mi")}
	pod.Spec.HostAliases = []corev1.HostAlias{{IP: "10.1.2.3", Hostnames: []string{"alias.example"}}}
	pod = n.create(t, pod)
	got := n.waitPod(t, pod, time.Minute, "Ready", isReady)

	subnet := netip.MustParsePrefix(n.env.Subnet)
	ip, err := netip.ParseAddr(got.Status.PodIP)
	if err != nil || !subnet.Contains(ip) {
		t.Errorf("pod IP %q not in %s", got.Status.PodIP, subnet)
	}
	if len(got.Status.PodIPs) != 1 || got.Status.HostIP != "127.0.0.1" || got.Status.StartTime == nil {
		t.Errorf("podIPs %v hostIP %q startTime %v", got.Status.PodIPs, got.Status.HostIP, got.Status.StartTime)
	}
	if got.Status.QOSClass != corev1.PodQOSGuaranteed {
		t.Errorf("qosClass %q", got.Status.QOSClass)
	}
	cs := got.Status.ContainerStatuses[0]
	if !strings.HasPrefix(cs.ContainerID, "containerd://") || !cs.Ready || cs.Started == nil || !*cs.Started ||
		cs.RestartCount != 0 || cs.State.Running == nil || cs.ImageID == "" {
		t.Errorf("container status %+v", cs)
	}
	for _, typ := range []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.ContainersReady, corev1.PodScheduled} {
		if c := condition(got, typ); c == nil || c.Status != corev1.ConditionTrue {
			t.Errorf("condition %s: %+v", typ, c)
		}
	}
	hosts, err := os.ReadFile(filepath.Join(n.opts.RootDir, "pods", string(got.UID), "etc-hosts"))
	if err != nil || !strings.Contains(string(hosts), got.Status.PodIP+"\tweb\n") || !strings.Contains(string(hosts), "10.1.2.3\talias.example\n") {
		t.Errorf("hosts file %q: %v", hosts, err)
	}
	if len(n.sandboxes(t, got.UID)) != 1 {
		t.Errorf("sandboxes %v", n.sandboxes(t, got.UID))
	}
	n.waitEvent(t, got, "Pulled", `Container image "localhost/busybox:test" already present on machine`)
	n.waitEvent(t, got, "Created", "Container created")
	n.waitEvent(t, got, "Started", "Container started")

	// Deleting with a grace period: busybox sleep ignores SIGTERM as PID 1, so it is killed
	// after the grace period; the kubelet then removes the sandbox and the pod object.
	if err := n.client.CoreV1().Pods(ns).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](2)}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := n.client.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	if err != nil {
		t.Fatalf("pod never deleted: %v", err)
	}
	if s := n.sandboxes(t, got.UID); len(s) != 0 {
		t.Errorf("sandboxes left: %v", s)
	}
	n.waitEvent(t, got, "Killing", "Stopping container main")
	if _, err := os.Stat(filepath.Join(n.opts.RootDir, "pods", string(got.UID))); !os.IsNotExist(err) {
		t.Errorf("pod directory left: %v", err)
	}
}

func ownedByNode(l *coordinationv1.Lease, node *corev1.Node) bool {
	return len(l.OwnerReferences) == 1 && l.OwnerReferences[0].UID == node.UID
}

// TestPodSucceeds runs a pod whose command exits 0 with restartPolicy Never: it ends Succeeded
// with the termination message (written with an expanded $(VAR)) and its sandbox stopped.
func TestPodSucceeds(t *testing.T) {
	n := newNode(t)
	pod := n.pod(srv.Namespace(t), "job", corev1.RestartPolicyNever, "sh", "-c", "echo $(GREETING) > /dev/termination-log")
	pod.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "GREETING", Value: "hello"}}
	pod = n.create(t, pod)
	got := n.waitPod(t, pod, time.Minute, "Succeeded", func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	term := got.Status.ContainerStatuses[0].State.Terminated
	if term == nil || term.ExitCode != 0 || term.Reason != "Completed" || term.Message != "hello\n" {
		t.Errorf("terminated state %+v", term)
	}
	if c := condition(got, corev1.PodReady); c == nil || c.Status != corev1.ConditionFalse || c.Reason != "PodCompleted" {
		t.Errorf("Ready condition %+v", c)
	}
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		s := n.sandboxes(t, got.UID)
		return len(s) == 1 && s[0].State != 0, nil // SANDBOX_NOTREADY
	})
	if err != nil {
		t.Errorf("sandbox not stopped: %v", n.sandboxes(t, got.UID))
	}
}

// TestCrashLoopBackOff: a container that keeps failing is restarted with growing back-off,
// its restart count increasing and its state waiting in CrashLoopBackOff.
func TestCrashLoopBackOff(t *testing.T) {
	n := newNode(t)
	pod := n.create(t, n.pod(srv.Namespace(t), "crash", corev1.RestartPolicyAlways, "sh", "-c", "exit 3"))
	got := n.waitPod(t, pod, time.Minute, "in CrashLoopBackOff after 2 restarts", func(p *corev1.Pod) bool {
		if len(p.Status.ContainerStatuses) == 0 {
			return false
		}
		cs := p.Status.ContainerStatuses[0]
		return cs.RestartCount >= 2 && cs.State.Waiting != nil && cs.State.Waiting.Reason == "CrashLoopBackOff"
	})
	cs := got.Status.ContainerStatuses[0]
	want := "restarting failed container=main pod=crash_" + pod.Namespace + "(" + string(pod.UID) + ")"
	if !strings.HasPrefix(cs.State.Waiting.Message, "back-off ") || !strings.HasSuffix(cs.State.Waiting.Message, want) {
		t.Errorf("waiting message %q", cs.State.Waiting.Message)
	}
	// Dead containers beyond the last one are removed.
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := n.env.Runtime.ListContainers(ctx, &runtimeapi.ContainerFilter{LabelSelector: map[string]string{"io.kubernetes.pod.uid": string(pod.UID)}})
		return err == nil && len(list) <= 2, nil
	})
	if err != nil {
		t.Errorf("dead containers not removed: %v", err)
	}
	if lt := cs.LastTerminationState.Terminated; lt == nil || lt.ExitCode != 3 || lt.Reason != "Error" {
		t.Errorf("last state %+v", cs.LastTerminationState)
	}
	if got.Status.Phase != corev1.PodRunning {
		t.Errorf("phase %s", got.Status.Phase)
	}
	if c := condition(got, corev1.PodReady); c == nil || c.Status != corev1.ConditionFalse || c.Reason != "ContainersNotReady" {
		t.Errorf("Ready condition %+v", c)
	}
}

// TestInitContainersRunInOrder: two init containers append to an emptyDir in order, each after
// the previous exited 0, before the main container starts.
func TestInitContainersRunInOrder(t *testing.T) {
	n := newNode(t)
	pod := n.pod(srv.Namespace(t), "init", corev1.RestartPolicyAlways, "sh", "-c", "echo main >> /work/log; sleep 3600")
	mount := []corev1.VolumeMount{{Name: "work", MountPath: "/work"}}
	pod.Spec.Volumes = []corev1.Volume{{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	pod.Spec.Containers[0].VolumeMounts = mount
	for _, name := range []string{"first", "second"} {
		pod.Spec.InitContainers = append(pod.Spec.InitContainers, corev1.Container{
			Name: name, Image: pod.Spec.Containers[0].Image, ImagePullPolicy: corev1.PullIfNotPresent,
			Command: []string{"sh", "-c", "sleep 0.3; echo " + name + " >> /work/log"}, VolumeMounts: mount,
			TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: corev1.TerminationMessageReadFile,
		})
	}
	pod = n.create(t, pod)
	got := n.waitPod(t, pod, time.Minute, "Ready", isReady)
	data, err := os.ReadFile(filepath.Join(n.opts.Volumes.(*emptyDirs).dir(got.UID, "work"), "log"))
	if err != nil || string(data) != "first\nsecond\nmain\n" {
		t.Errorf("log %q: %v", data, err)
	}
	for _, cs := range got.Status.InitContainerStatuses {
		if cs.State.Terminated == nil || cs.State.Terminated.ExitCode != 0 || !cs.Ready {
			t.Errorf("init container status %+v", cs)
		}
	}
	if c := condition(got, corev1.PodInitialized); c == nil || c.Status != corev1.ConditionTrue {
		t.Errorf("Initialized %+v", c)
	}
}

// TestRestartAdoptsPods: a new kubelet on the same root and runtime keeps a running pod
// (same container, no restart) and removes the sandbox of a pod deleted while it was down.
func TestRestartAdoptsPods(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	ns := srv.Namespace(t)
	keep := n.create(t, n.pod(ns, "keep", corev1.RestartPolicyAlways, "sleep", "3600"))
	gone := n.create(t, n.pod(ns, "gone", corev1.RestartPolicyAlways, "sleep", "3600"))
	before := n.waitPod(t, keep, time.Minute, "Ready", isReady)
	goneRunning := n.waitPod(t, gone, time.Minute, "Ready", isReady)

	n.stop()
	if err := n.client.CoreV1().Pods(ns).Delete(ctx, gone.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	n.start(t)

	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return len(n.sandboxes(t, goneRunning.UID)) == 0, nil
	})
	if err != nil {
		t.Errorf("sandbox of the deleted pod left: %v", n.sandboxes(t, goneRunning.UID))
	}
	// Give the new kubelet several syncs of the kept pod, then check nothing restarted.
	time.Sleep(2 * time.Second) //nolint:forbidigo // asserting that something does not happen
	after := n.waitPod(t, keep, time.Minute, "Ready", isReady)
	b, a := before.Status.ContainerStatuses[0], after.Status.ContainerStatuses[0]
	if a.ContainerID != b.ContainerID || a.RestartCount != 0 {
		t.Errorf("container restarted: before %s, after %s (restarts %d)", b.ContainerID, a.ContainerID, a.RestartCount)
	}
	if len(n.sandboxes(t, before.UID)) != 1 {
		t.Errorf("sandboxes %v", n.sandboxes(t, before.UID))
	}
}

// TestSandboxRecreated: when the pod's sandbox dies, the kubelet makes a new one (upstream's
// SandboxChanged) and starts the containers again in it.
func TestSandboxRecreated(t *testing.T) {
	n := newNode(t)
	ctx := context.Background()
	pod := n.create(t, n.pod(srv.Namespace(t), "phoenix", corev1.RestartPolicyAlways, "sleep", "3600"))
	before := n.waitPod(t, pod, time.Minute, "Ready", isReady)
	old := n.sandboxes(t, before.UID)
	if len(old) != 1 {
		t.Fatalf("sandboxes %v", old)
	}
	if err := n.env.Runtime.StopPodSandbox(ctx, old[0].Id); err != nil {
		t.Fatal(err)
	}
	after := n.waitPod(t, pod, time.Minute, "Ready again in a new sandbox", func(p *corev1.Pod) bool {
		return isReady(p) && p.Status.ContainerStatuses[0].RestartCount == 1
	})
	if after.Status.ContainerStatuses[0].ContainerID == before.Status.ContainerStatuses[0].ContainerID {
		t.Error("same container")
	}
	var ready int
	for _, s := range n.sandboxes(t, before.UID) {
		if s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
			ready++
			if s.Metadata.Attempt != 1 {
				t.Errorf("new sandbox attempt %d", s.Metadata.Attempt)
			}
		}
	}
	if ready != 1 {
		t.Errorf("ready sandboxes: %d", ready)
	}
	n.waitEvent(t, after, "SandboxChanged", "Pod sandbox changed, it will be killed and re-created.")
}
