package kubelet_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/containerd/containerdtest"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
	"github.com/skiff-sh/skiff/nodeagent/kubelet"
)

// node is one kubelet under test on a real containerd.
type node struct {
	name   string
	env    *containerdtest.Env
	client kubernetes.Interface
	opts   *kubelet.Options
	stop   func()
}

// newNode starts containerd and a kubelet for test t, with the in-test volume manager.
func newNode(t *testing.T) *node {
	t.Helper()
	return newNodeWith(t, nil)
}

// newNodeWith is newNode with the kubelet's options modified by modify.
func newNodeWith(t *testing.T, modify func(*kubelet.Options)) *node {
	t.Helper()
	containerdtest.Require(t)
	env := containerdtest.Start(t, containerdtest.Options{})
	name := strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	o := kubelet.NewOptions()
	o.NodeName = "node-" + name
	o.RootDir = t.TempDir()
	o.NodeIP = "127.0.0.1"
	o.ResolvConf = ""
	o.CgroupParent = env.CgroupParent
	o.RelistPeriod = 300 * time.Millisecond
	o.NodeStatusUpdateFrequency = time.Second
	o.Volumes = &emptyDirs{root: t.TempDir()}
	if modify != nil {
		modify(o)
	}
	n := &node{name: o.NodeName, env: env, client: srv.Client(t), opts: o}
	n.start(t)
	t.Cleanup(func() { n.stop() })
	return n
}

// start runs a kubelet on the node until stop.
func (n *node) start(t *testing.T) {
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background()))
	done := make(chan error, 1)
	go func() { done <- kubelet.Run(ctx, srv.ClientConfig, n.env.Runtime, n.opts) }()
	n.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("kubelet: %v", err)
			}
			if left := kubeletGoroutines(); left != "" {
				t.Errorf("goroutines of the kubelet left after Run returned:\n%s", left)
			}
		case <-time.After(time.Minute):
			t.Error("kubelet did not stop")
		}
		n.stop = func() {}
	}
}

// pod is a busybox pod bound to the node running command.
func (n *node) pod(ns, name string, policy corev1.RestartPolicy, command ...string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: corev1.PodSpec{
			NodeName:                      n.name,
			RestartPolicy:                 policy,
			TerminationGracePeriodSeconds: ptr.To[int64](2),
			Containers: []corev1.Container{{
				Name: "main", Image: images.BusyboxImageName, Command: command,
				ImagePullPolicy: corev1.PullIfNotPresent, TerminationMessagePath: "/dev/termination-log",
				TerminationMessagePolicy: corev1.TerminationMessageReadFile,
			}},
		},
	}
}

func (n *node) create(t *testing.T, pod *corev1.Pod) *corev1.Pod {
	t.Helper()
	p, err := n.client.CoreV1().Pods(pod.Namespace).Create(context.Background(), pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// waitPod polls the pod until cond holds, failing with the last state after timeout.
func (n *node) waitPod(t *testing.T, pod *corev1.Pod, timeout time.Duration, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		p, err := n.client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		last = p
		return cond(p), nil
	})
	if err != nil {
		if last != nil {
			t.Fatalf("pod %s never %s: phase %s, status %+v", pod.Name, what, last.Status.Phase, last.Status)
		}
		t.Fatalf("pod %s never %s: %v", pod.Name, what, err)
	}
	return last
}

// sandboxes are the runtime's sandboxes of pod uid.
func (n *node) sandboxes(t *testing.T, uid types.UID) []*runtimeapi.PodSandbox {
	t.Helper()
	list, err := n.env.Runtime.ListPodSandbox(context.Background(), &runtimeapi.PodSandboxFilter{LabelSelector: map[string]string{cri.LabelPodUID: string(uid)}})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func condition(pod *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == typ {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func isReady(pod *corev1.Pod) bool {
	c := condition(pod, corev1.PodReady)
	return pod.Status.Phase == corev1.PodRunning && c != nil && c.Status == corev1.ConditionTrue
}

// emptyDirs is a tiny VolumeManager for tests: emptyDir volumes as host directories.
type emptyDirs struct{ root string }

func (e *emptyDirs) dir(uid types.UID, name string) string {
	return filepath.Join(e.root, string(uid), name)
}

func (e *emptyDirs) SetUp(_ context.Context, pod *corev1.Pod) error {
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir == nil {
			return errors.New("only emptyDir volumes in this test")
		}
		if err := os.MkdirAll(e.dir(pod.UID, v.Name), 0o777); err != nil {
			return err
		}
	}
	return nil
}

func (e *emptyDirs) Mounts(pod *corev1.Pod, c *corev1.Container, _ map[string]string) ([]*runtimeapi.Mount, error) {
	var out []*runtimeapi.Mount
	for _, m := range c.VolumeMounts {
		out = append(out, &runtimeapi.Mount{ContainerPath: m.MountPath, HostPath: e.dir(pod.UID, m.Name), Readonly: m.ReadOnly})
	}
	return out, nil
}

func (e *emptyDirs) TearDown(_ context.Context, uid types.UID) error {
	return os.RemoveAll(filepath.Join(e.root, string(uid)))
}

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }

// waitEvent polls until the pod has an event with reason whose message contains msg.
func (n *node) waitEvent(t *testing.T, pod *corev1.Pod, reason, msg string) {
	t.Helper()
	var seen []string
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := n.client.CoreV1().Events(pod.Namespace).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		seen = seen[:0]
		for _, e := range list.Items {
			if e.InvolvedObject.UID != pod.UID {
				continue
			}
			seen = append(seen, e.Reason+": "+e.Message)
			if e.Reason == reason && strings.Contains(e.Message, msg) && e.Source.Component == "kubelet" && e.Source.Host == n.name {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Errorf("no event %s %q for pod %s; events: %q", reason, msg, pod.Name, seen)
	}
}

// fakeProber is a tiny ProbeManager: containers are ready when ready is set; failures are sent
// by the test.
type fakeProber struct {
	ready    atomic.Bool
	failures chan kubelet.ProbeFailure
}

func (f *fakeProber) AddPod(*corev1.Pod)    {}
func (f *fakeProber) RemovePod(*corev1.Pod) {}
func (f *fakeProber) UpdatePodStatus(_ *corev1.Pod, s *corev1.PodStatus) {
	for _, list := range [][]corev1.ContainerStatus{s.InitContainerStatuses, s.ContainerStatuses} {
		for i := range list {
			running := list[i].State.Running != nil
			list[i].Ready = running && f.ready.Load()
			list[i].Started = ptr.To(running)
		}
	}
}
func (f *fakeProber) LivenessFailures() <-chan kubelet.ProbeFailure { return f.failures }

// waitNodeEvent polls until the node has a kubelet event with reason and message.
func (n *node) waitNodeEvent(t *testing.T, reason, msg string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		list, err := n.client.CoreV1().Events(metav1.NamespaceDefault).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		for _, e := range list.Items {
			if e.InvolvedObject.Kind == "Node" && e.InvolvedObject.Name == n.name && e.Reason == reason && e.Message == msg {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Errorf("no node event %s %q", reason, msg)
	}
}

// kubeletGoroutines are the stacks of goroutines running code of package kubelet.
func kubeletGoroutines() string {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "skiff/nodeagent/kubelet.") {
			left = append(left, g)
		}
	}
	return strings.Join(left, "\n\n")
}
