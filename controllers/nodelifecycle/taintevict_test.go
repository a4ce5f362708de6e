package nodelifecycle

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

func TestEvictionDelay(t *testing.T) {
	tol := func(key string, secs *int64) corev1.Toleration {
		return corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: secs}
	}
	both := []corev1.Taint{unreachableTaint, {Key: "example.com/x", Effect: corev1.TaintEffectNoExecute}}
	tests := []struct {
		name         string
		tolerations  []corev1.Toleration
		taints       []corev1.Taint
		want         time.Duration
		wantTolerate bool
	}{
		{"no tolerations", nil, []corev1.Taint{unreachableTaint}, 0, false},
		{"other key", []corev1.Toleration{tol(corev1.TaintNodeNotReady, nil)}, []corev1.Taint{unreachableTaint}, 0, false},
		{"forever", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, nil)}, []corev1.Taint{unreachableTaint}, -1, true},
		{"seconds", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, ptr.To[int64](300))}, []corev1.Taint{unreachableTaint}, 300 * time.Second, true},
		{"zero seconds", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, ptr.To[int64](0))}, []corev1.Taint{unreachableTaint}, 0, true},
		{"negative seconds", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, ptr.To[int64](-5))}, []corev1.Taint{unreachableTaint}, 0, true},
		{"least of used", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, ptr.To[int64](300)), tol("example.com/x", ptr.To[int64](60))}, both, 60 * time.Second, true},
		{"one of two untolerated", []corev1.Toleration{tol(corev1.TaintNodeUnreachable, nil)}, both, 0, false},
		{"wildcard", []corev1.Toleration{{Operator: corev1.TolerationOpExists}}, both, -1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, tolerated := evictionDelay(klog.Background(), tt.tolerations, tt.taints)
			if got != tt.want || tolerated != tt.wantTolerate {
				t.Errorf("evictionDelay = %v, %v; want %v, %v", got, tolerated, tt.want, tt.wantTolerate)
			}
		})
	}
}

func TestTimedWorkers(t *testing.T) {
	clk := testingclock.NewFakeClock(t0)
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	ran := map[string]int{}
	q := newTimedWorkers(ctx, clk, func(_ context.Context, key types.NamespacedName) error {
		mu.Lock()
		defer mu.Unlock()
		ran[key.Name]++
		return nil
	})
	defer func() { cancel(); q.stop() }()
	count := func(name string) int { mu.Lock(); defer mu.Unlock(); return ran[name] }
	now := key("now")
	later := key("later")
	cancelled := key("cancelled")
	q.add(now, t0, t0)
	q.add(later, t0, t0.Add(time.Minute))
	q.add(cancelled, t0, t0.Add(time.Minute))
	waitFor(t, func() bool { return count("now") == 1 })
	if q.get(now) != nil {
		t.Error("done work should read as nil")
	}
	q.add(now, t0, t0) // done work is not added again
	if !q.cancel(cancelled) {
		t.Error("cancel of pending work should report true")
	}
	if q.cancel(now) {
		t.Error("cancel of done work should report false")
	}
	waitFor(t, func() bool { return clk.Waiters() == 1 })
	clk.Step(time.Minute)
	waitFor(t, func() bool { return count("later") == 1 })
	if count("now") != 1 || count("cancelled") != 0 {
		t.Errorf("ran %v", ran)
	}
}

func key(name string) types.NamespacedName { return types.NamespacedName{Namespace: "ns", Name: name} }

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 5*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) { return cond(), nil })
	if err != nil {
		t.Fatal("condition not met in time")
	}
}
