package queue

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

// fakeProfile has a filter plugin "Fit" interested in node adds, with a hint that only
// queues for nodes labelled ok.
type fakeProfile struct{}

func (fakeProfile) RunPreEnqueuePlugins(context.Context, *corev1.Pod) *fwk.Status { return nil }
func (fakeProfile) PreEnqueuePlugins() []fwk.PreEnqueuePlugin                     { return nil }
func (fakeProfile) EnqueueExtensions() []fwk.EnqueueExtensions {
	return []fwk.EnqueueExtensions{fitExt{}}
}

type fitExt struct{}

func (fitExt) Name() string { return "Fit" }
func (fitExt) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{{
		Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel},
		QueueingHintFn: func(_ klog.Logger, _ *corev1.Pod, _, newObj any) (fwk.QueueingHint, error) {
			if n, ok := newObj.(*corev1.Node); ok && n.Labels["ok"] == "true" {
				return fwk.Queue, nil
			}
			return fwk.QueueSkip, nil
		},
	}}, nil
}

func testPod(name string, prio int32) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name)},
		Spec: corev1.PodSpec{SchedulerName: "default-scheduler", Priority: ptr.To(prio)}}
}

func newTestQueue(t *testing.T) (*Queue, *clocktesting.FakeClock) {
	t.Helper()
	clk := clocktesting.NewFakeClock(time.Now())
	q, err := New(context.Background(), Options{
		Clock: clk, InitialBackoff: time.Second, MaxBackoff: 10 * time.Second,
		Less:     func(a, b fwk.QueuedEntityInfo) bool { return a.GetPriority() > b.GetPriority() },
		Profiles: map[string]Profile{"default-scheduler": fakeProfile{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return q, clk
}

func TestBackoffDuration(t *testing.T) {
	for count, want := range map[int]time.Duration{0: 0, 1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 40: 10 * time.Second} {
		if got := BackoffDuration(count, time.Second, 10*time.Second); got != want {
			t.Errorf("BackoffDuration(%d) = %v, want %v", count, got, want)
		}
	}
}

func TestPopOrderAndGates(t *testing.T) {
	q, _ := newTestQueue(t)
	logger := klog.Background()
	q.Add(logger, testPod("low", 1))
	q.Add(logger, testPod("high", 10))
	gated := testPod("gated", 100)
	gated.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/wait"}}
	q.Add(logger, gated)
	if a, _, _, g := q.PendingCounts(); a != 2 || g != 1 {
		t.Fatalf("active %d gated %d", a, g)
	}
	p, _ := q.Pop(logger)
	if p.Pod.Name != "high" || p.Attempts != 1 {
		t.Errorf("first pop = %s (attempts %d), want high", p.Pod.Name, p.Attempts)
	}
	q.Done(p.Pod.UID)
	// Removing the gate makes the pod active.
	ungated := gated.DeepCopy()
	ungated.Spec.SchedulingGates = nil
	q.Update(logger, gated, ungated)
	p, _ = q.Pop(logger)
	if p.Pod.Name != "gated" {
		t.Errorf("pop after ungating = %s", p.Pod.Name)
	}
}

func TestUnschedulableRequeueByHint(t *testing.T) {
	q, clk := newTestQueue(t)
	logger := klog.Background()
	q.Add(logger, testPod("p", 0))
	p, _ := q.Pop(logger)
	p.UnschedulablePlugins = sets.New("Fit")
	p.UnschedulableCount++
	if err := q.AddUnschedulableIfNotPresent(logger, p); err != nil {
		t.Fatal(err)
	}
	if _, _, u, _ := q.PendingCounts(); u != 1 {
		t.Fatalf("unschedulable = %d", u)
	}
	// A node the hint skips leaves the pod where it is.
	q.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add}, nil, &corev1.Node{})
	if _, _, u, _ := q.PendingCounts(); u != 1 {
		t.Fatalf("skipped event moved the pod")
	}
	// An unrelated event type does not match the registration.
	q.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.UpdateNodeTaint}, nil,
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"ok": "true"}}})
	if _, _, u, _ := q.PendingCounts(); u != 1 {
		t.Fatalf("unregistered event moved the pod")
	}
	// A matching node moves it to backoff (1s), then active once backoff completes.
	q.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add}, nil,
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"ok": "true"}}})
	if _, b, _, _ := q.PendingCounts(); b != 1 {
		t.Fatalf("backoff = %d, want 1", b)
	}
	q.FlushBackoffCompleted(logger)
	if a, _, _, _ := q.PendingCounts(); a != 0 {
		t.Fatal("left backoff early")
	}
	clk.Step(1100 * time.Millisecond)
	q.FlushBackoffCompleted(logger)
	if a, _, _, _ := q.PendingCounts(); a != 1 {
		t.Fatal("not active after backoff")
	}
}

func TestUnschedulableLeftoverAndInFlight(t *testing.T) {
	q, clk := newTestQueue(t)
	logger := klog.Background()
	q.Add(logger, testPod("p", 0))
	p, _ := q.Pop(logger)
	// An event that helps arrives while the pod is being scheduled: it is requeued at once.
	q.MoveAllToActiveOrBackoffQueue(logger, fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add}, nil,
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"ok": "true"}}})
	p.UnschedulablePlugins = sets.New("Fit")
	_ = q.AddUnschedulableIfNotPresent(logger, p)
	if _, _, u, _ := q.PendingCounts(); u != 0 {
		t.Fatal("pod parked although an event during its attempt may help")
	}
	clk.Step(time.Minute)
	q.FlushBackoffCompleted(logger)
	p, _ = q.Pop(logger)
	p.UnschedulablePlugins = sets.New("Fit")
	_ = q.AddUnschedulableIfNotPresent(logger, p)
	clk.Step(4 * time.Minute)
	q.FlushUnschedulableLeftover(logger)
	if _, _, u, _ := q.PendingCounts(); u != 1 {
		t.Fatal("flushed before 5 minutes")
	}
	clk.Step(2 * time.Minute)
	q.FlushUnschedulableLeftover(logger)
	if a, b, u, _ := q.PendingCounts(); u != 0 || a+b != 1 {
		t.Fatalf("after 5 minutes: active %d backoff %d unschedulable %d", a, b, u)
	}
}

func TestPopClosed(t *testing.T) {
	q, _ := newTestQueue(t)
	done := make(chan error)
	go func() {
		_, err := q.Pop(klog.Background())
		done <- err
	}()
	q.Close()
	select {
	case err := <-done:
		if err != ErrClosed {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pop did not return after Close")
	}
}
