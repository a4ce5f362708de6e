package podgc

import (
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func pod(name string, phase corev1.PodPhase, age time.Duration, mods ...func(*corev1.Pod)) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(-age))}, Status: corev1.PodStatus{Phase: phase}}
	for _, m := range mods {
		m(&p)
	}
	return p
}

func evicted(p *corev1.Pod)     { p.Status.Reason = "Evicted" }
func terminating(p *corev1.Pod) { now := metav1.NewTime(t0); p.DeletionTimestamp = &now }
func on(node string) func(*corev1.Pod) {
	return func(p *corev1.Pod) { p.Spec.NodeName = node }
}

func names(pods []*corev1.Pod) []string {
	out := []string{}
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestTerminatedOverThreshold(t *testing.T) {
	pods := []corev1.Pod{
		pod("running", corev1.PodRunning, 10*time.Hour),
		pod("pending", corev1.PodPending, 10*time.Hour),
		pod("old-succeeded", corev1.PodSucceeded, 5*time.Hour),
		pod("b-failed", corev1.PodFailed, 3*time.Hour),
		pod("a-failed", corev1.PodFailed, 3*time.Hour),
		pod("young-evicted", corev1.PodFailed, time.Minute, evicted),
		pod("young-succeeded", corev1.PodSucceeded, time.Minute),
	}
	tests := []struct {
		threshold int
		want      []string
	}{
		{10, []string{}},
		{5, []string{}},
		{4, []string{"young-evicted"}},
		{2, []string{"young-evicted", "old-succeeded", "a-failed"}},
		{0, []string{"young-evicted", "old-succeeded", "a-failed", "b-failed", "young-succeeded"}},
	}
	for _, tt := range tests {
		if got := names(terminatedOverThreshold(pods, tt.threshold)); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("threshold %d: %v, want %v", tt.threshold, got, tt.want)
		}
	}
}

func TestTerminatingOutOfService(t *testing.T) {
	node := func(name string, ready corev1.ConditionStatus, taints ...string) *corev1.Node {
		n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
		for _, k := range taints {
			n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: k, Effect: corev1.TaintEffectNoExecute})
		}
		return n
	}
	nodes := map[string]*corev1.Node{
		"oos":       node("oos", corev1.ConditionFalse, corev1.TaintNodeOutOfService),
		"ready-oos": node("ready-oos", corev1.ConditionTrue, corev1.TaintNodeOutOfService),
		"down":      node("down", corev1.ConditionUnknown, corev1.TaintNodeUnreachable),
	}
	pods := []corev1.Pod{
		pod("terminating-oos", corev1.PodRunning, time.Hour, on("oos"), terminating),
		pod("running-oos", corev1.PodRunning, time.Hour, on("oos")),
		pod("terminating-ready-oos", corev1.PodRunning, time.Hour, on("ready-oos"), terminating),
		pod("terminating-down", corev1.PodRunning, time.Hour, on("down"), terminating),
		pod("terminating-missing-node", corev1.PodRunning, time.Hour, on("gone"), terminating),
	}
	if got, want := names(terminatingOutOfService(pods, nodes)), []string{"terminating-oos"}; !reflect.DeepEqual(got, want) {
		t.Errorf("terminatingOutOfService = %v, want %v", got, want)
	}
}

func TestUnscheduledTerminating(t *testing.T) {
	pods := []corev1.Pod{
		pod("unscheduled-terminating", corev1.PodPending, time.Hour, terminating),
		pod("unscheduled", corev1.PodPending, time.Hour),
		pod("scheduled-terminating", corev1.PodRunning, time.Hour, on("n"), terminating),
	}
	if got, want := names(unscheduledTerminating(pods)), []string{"unscheduled-terminating"}; !reflect.DeepEqual(got, want) {
		t.Errorf("unscheduledTerminating = %v, want %v", got, want)
	}
}
