package simulated

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/test/integration/framework"
)

var testServer *framework.Server

func TestMain(m *testing.M) {
	srv, err := framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testServer = srv
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

const timeout = 30 * time.Second

// startSimulator runs n simulated nodes named <prefix><i> until the test ends.
func startSimulator(t *testing.T, prefix string, n int) kubernetes.Interface {
	t.Helper()
	client := testServer.Client(t)
	o := NewOptions()
	o.Nodes, o.NamePrefix = n, prefix
	o.LeaseDuration, o.LeaseRenewInterval = 2*time.Second, 200*time.Millisecond
	o.RunTime = 200 * time.Millisecond
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	s, err := newSimulator(client, o, clock.RealClock{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("simulator: %v", err)
		}
	})
	return client
}

func waitFor(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func createPod(t *testing.T, client kubernetes.Interface, ns, name, node string, policy corev1.RestartPolicy, annotations map[string]string) *corev1.Pod {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Annotations: annotations},
		Spec: corev1.PodSpec{
			NodeName:      node,
			RestartPolicy: policy,
			Containers:    []corev1.Container{{Name: "app", Image: "busybox"}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

func podPhase(t *testing.T, client kubernetes.Interface, ns, name string, phase corev1.PodPhase) *corev1.Pod {
	t.Helper()
	var pod *corev1.Pod
	waitFor(t, fmt.Sprintf("pod %s %s", name, phase), func(ctx context.Context) (bool, error) {
		var err error
		pod, err = client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && pod.Status.Phase == phase, nil
	})
	return pod
}

func TestNodesRegisterWithLeases(t *testing.T) {
	client := startSimulator(t, "reg-", 3)
	ctx := context.Background()
	for i := range 3 {
		name := fmt.Sprintf("reg-%d", i)
		var node *corev1.Node
		waitFor(t, "node "+name, func(ctx context.Context) (bool, error) {
			var err error
			node, err = client.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			return err == nil && healthy(node), nil
		})
		if node.Spec.PodCIDR != fmt.Sprintf("10.244.%d.0/24", i) {
			t.Errorf("node %s podCIDR = %q", name, node.Spec.PodCIDR)
		}
		if node.Labels[corev1.LabelHostname] != name || node.Labels[LabelSimulated] != "true" {
			t.Errorf("node %s labels = %v", name, node.Labels)
		}
		if q := node.Status.Allocatable[corev1.ResourcePods]; q.String() != "110" {
			t.Errorf("node %s allocatable pods = %s", name, q.String())
		}
		waitFor(t, "lease of "+name, func(ctx context.Context) (bool, error) {
			l, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, name, metav1.GetOptions{})
			return err == nil && l.Spec.RenewTime != nil && len(l.OwnerReferences) == 1 && l.OwnerReferences[0].UID == node.UID, nil
		})
	}
	_ = ctx
}

func TestPodLifecycle(t *testing.T) {
	client := startSimulator(t, "life-", 2)
	ns := testServer.Namespace(t)
	ctx := context.Background()

	running := createPod(t, client, ns, "web", "life-1", corev1.RestartPolicyAlways, nil)
	running = podPhase(t, client, ns, running.Name, corev1.PodRunning)
	ip, err := netip.ParseAddr(running.Status.PodIP)
	if err != nil || !netip.MustParsePrefix("10.244.1.0/24").Contains(ip) {
		t.Errorf("podIP %q not in life-1's CIDR", running.Status.PodIP)
	}
	if running.Status.HostIP != nodeIP(1) || running.Status.StartTime == nil {
		t.Errorf("hostIP %q startTime %v", running.Status.HostIP, running.Status.StartTime)
	}
	if cs := running.Status.ContainerStatuses; len(cs) != 1 || !cs[0].Ready || cs[0].State.Running == nil {
		t.Errorf("container statuses = %+v", cs)
	}

	podPhase(t, client, ns, createPod(t, client, ns, "job", "life-0", corev1.RestartPolicyNever, nil).Name, corev1.PodSucceeded)
	failed := podPhase(t, client, ns, createPod(t, client, ns, "crash", "life-0", corev1.RestartPolicyNever,
		map[string]string{AnnotationExitCode: "2"}).Name, corev1.PodFailed)
	if term := failed.Status.ContainerStatuses[0].State.Terminated; term == nil || term.ExitCode != 2 || term.Reason != "Error" {
		t.Errorf("failed container state = %+v", failed.Status.ContainerStatuses[0].State)
	}

	restarting := createPod(t, client, ns, "flaky", "life-0", corev1.RestartPolicyAlways, map[string]string{AnnotationRunSeconds: "0.2", AnnotationExitCode: "1"})
	waitFor(t, "restarts", func(ctx context.Context) (bool, error) {
		p, err := client.CoreV1().Pods(ns).Get(ctx, restarting.Name, metav1.GetOptions{})
		return err == nil && len(p.Status.ContainerStatuses) == 1 && p.Status.ContainerStatuses[0].RestartCount >= 2, nil
	})

	if err := client.CoreV1().Pods(ns).Delete(ctx, running.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "deleted pod gone", func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().Pods(ns).Get(ctx, running.Name, metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}

func TestPausedNodeStopsHeartbeatAndPods(t *testing.T) {
	client := startSimulator(t, "pause-", 1)
	ns := testServer.Namespace(t)
	ctx := context.Background()
	const node = "pause-0"
	waitFor(t, "lease", func(ctx context.Context) (bool, error) {
		_, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, node, metav1.GetOptions{})
		return err == nil, nil
	})
	patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:"paused"}}}`, AnnotationHeartbeat)
	if _, err := client.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	// Once paused, the renew time stops moving for several renew intervals.
	var last time.Time
	stable := 0
	waitFor(t, "renewals to stop", func(ctx context.Context) (bool, error) {
		l, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, node, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if l.Spec.RenewTime.Time.Equal(last) {
			stable++
		} else {
			last, stable = l.Spec.RenewTime.Time, 0
		}
		return stable >= 20, nil // 20 polls of 50ms = 5 renew intervals
	})
	pod := createPod(t, client, ns, "waits", node, corev1.RestartPolicyAlways, nil)
	if p, _ := client.CoreV1().Pods(ns).Get(ctx, pod.Name, metav1.GetOptions{}); p.Status.Phase != corev1.PodPending {
		t.Errorf("pod on a paused node is %s, want Pending", p.Status.Phase)
	}
	patch = fmt.Sprintf(`{"metadata":{"annotations":{%q:null}}}`, AnnotationHeartbeat)
	if _, err := client.CoreV1().Nodes().Patch(ctx, node, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	podPhase(t, client, ns, pod.Name, corev1.PodRunning)
	waitFor(t, "renewals to resume", func(ctx context.Context) (bool, error) {
		l, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, node, metav1.GetOptions{})
		return err == nil && l.Spec.RenewTime.Time.After(last), nil
	})
}
