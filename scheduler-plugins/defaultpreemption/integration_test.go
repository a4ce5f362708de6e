package defaultpreemption_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler"
)

const timeout = 30 * time.Second

// TestPreemption runs the scheduler with skiff's default configuration on one full node: a
// higher-priority pod evicts a lower-priority one as upstream does.
func TestPreemption(t *testing.T) {
	s := server(t)
	client := s.Client(t)
	ns := s.Namespace(t)
	ctx := context.Background()
	never := corev1.PreemptNever
	for name, pc := range map[string]schedulingv1.PriorityClass{
		"low": {Value: 10}, "high": {Value: 1000}, "never": {Value: 1000, PreemptionPolicy: &never},
	} {
		pc.Name = ns + "-" + name
		if _, err := client.SchedulingV1().PriorityClasses().Create(ctx, &pc, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	createNode(t, client, "preempt-1", "1")
	startScheduler(t, s.ClientConfig)

	low := createPod(t, client, ns, "low", ns+"-low", "800m")
	waitPod(t, client, ns, "low", "binding", func(p *corev1.Pod) bool { return p.Spec.NodeName == "preempt-1" })

	// Equal priority: nothing to preempt. preemptionPolicy Never: not eligible.
	createPod(t, client, ns, "peer", ns+"-low", "500m")
	createPod(t, client, ns, "polite", ns+"-never", "500m")
	for name, want := range map[string]string{
		"peer":   "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
		"polite": "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.",
	} {
		p := waitPod(t, client, ns, name, "PodScheduled=False", func(p *corev1.Pod) bool { return scheduledCondition(p) != nil })
		if c := scheduledCondition(p); c.Status != corev1.ConditionFalse || c.Reason != corev1.PodReasonUnschedulable || c.Message != want {
			t.Errorf("pod %s PodScheduled = %s %s %q\nwant message %q", name, c.Status, c.Reason, c.Message, want)
		}
		if err := client.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	high := createPod(t, client, ns, "high", ns+"-high", "800m")
	victim := waitPod(t, client, ns, "low", "DisruptionTarget", func(p *corev1.Pod) bool { return p.DeletionTimestamp != nil })
	var cond *corev1.PodCondition
	for i := range victim.Status.Conditions {
		if victim.Status.Conditions[i].Type == corev1.DisruptionTarget {
			cond = &victim.Status.Conditions[i]
		}
	}
	if cond == nil || cond.Status != corev1.ConditionTrue || cond.Reason != corev1.PodReasonPreemptionByScheduler ||
		cond.Message != "default-scheduler: preempting to accommodate a higher priority pod" {
		t.Errorf("victim's DisruptionTarget condition = %+v", cond)
	}
	p := waitPod(t, client, ns, "high", "nomination", func(p *corev1.Pod) bool { return p.Status.NominatedNodeName != "" })
	if p.Status.NominatedNodeName != "preempt-1" || p.Spec.NodeName != "" {
		t.Errorf("preemptor nominated to %q, bound to %q", p.Status.NominatedNodeName, p.Spec.NodeName)
	}
	waitEvent(t, client, ns, "low", "Preempted", "Preempted by pod "+string(high.UID)+" on node preempt-1")

	// No kubelet runs here: finish the victim's termination as it would.
	err := client.CoreV1().Pods(ns).Delete(ctx, "low", metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0), Preconditions: &metav1.Preconditions{UID: &low.UID}})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
	waitPod(t, client, ns, "high", "binding", func(p *corev1.Pod) bool { return p.Spec.NodeName == "preempt-1" })
}

func scheduledCondition(p *corev1.Pod) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodScheduled {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// startScheduler runs the scheduler as the server does (in-tree plugins, default
// configuration, no leader election) until the test ends.
func startScheduler(t *testing.T, cfg *rest.Config) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- scheduler.Run(ctx, cfg, scheduler.NewOptions()) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("scheduler: %v", err)
		}
	})
}

// createNode makes a Ready, untainted node with the given CPUs; it is deleted after the test.
func createNode(t *testing.T, client kubernetes.Interface, name, cpu string) {
	t.Helper()
	ctx := context.Background()
	rl := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110")}
	n, err := client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	n.Status = corev1.NodeStatus{Capacity: rl, Allocatable: rl, Conditions: []corev1.NodeCondition{
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()},
	}}
	if n, err = client.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Admission taints new nodes not-ready; no node lifecycle controller runs here to lift it.
	if len(n.Spec.Taints) > 0 {
		n.Spec.Taints = nil
		if _, err := client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

func createPod(t *testing.T, client kubernetes.Interface, ns, name, priorityClass, cpu string) *corev1.Pod {
	t.Helper()
	p, err := client.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": name}},
		Spec: corev1.PodSpec{PriorityClassName: priorityClass, Containers: []corev1.Container{{
			Name: "c", Image: "registry.k8s.io/pause:3.10",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}},
		}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func waitPod(t *testing.T, client kubernetes.Interface, ns, name, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		p, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = p
		return cond(p), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s: waiting for %s: %v (last status: %+v)", ns, name, what, err, last.Status)
	}
	return last
}

// waitEvent waits for an events.k8s.io event about the pod with the reason and note.
func waitEvent(t *testing.T, client kubernetes.Interface, ns, pod, reason, note string) {
	t.Helper()
	var seen []string
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		list, err := client.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		seen = seen[:0]
		for _, e := range list.Items {
			if e.Regarding.Name == pod && e.Reason == reason && e.Note == note {
				return true, nil
			}
			seen = append(seen, e.Regarding.Name+": "+e.Reason+": "+e.Note)
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no %s event %q for pod %s: %v\nseen:\n%s", reason, note, pod, err, strings.Join(seen, "\n"))
	}
}
