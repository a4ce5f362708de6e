package statefulset

import (
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var now = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// pod makes ordinal's pod at revision rev; ready pods became ready readyFor ago.
func testPod(ordinal int, rev string, ready bool, readyFor time.Duration) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name:   podName(&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "web"}}, ordinal),
			Labels: map[string]string{appsv1.StatefulSetRevisionLabel: rev},
		},
		Status: corev1.PodStatus{
			Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status,
				LastTransitionTime: metav1.NewTime(now.Add(-readyFor))}},
		},
	}
}

func names(pods []*corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

func TestUpdateTargets(t *testing.T) {
	ready := func(o int, rev string) *corev1.Pod { return testPod(o, rev, true, time.Hour) }
	tests := []struct {
		name           string
		parallel       bool
		partition      int32
		maxUnavailable *intstr.IntOrString
		mrs            int32
		pods           []*corev1.Pod
		want           []string
	}{
		{"highest outdated first", false, 0, nil, 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "old")}, []string{"web-2"}},
		{"skips updated pods", false, 0, nil, 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "new")}, []string{"web-1"}},
		{"partition stops below", false, 2, nil, 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "new")}, nil},
		{"waits while a pod is unavailable", false, 0, nil, 0,
			[]*corev1.Pod{ready(0, "old"), testPod(1, "new", false, 0), ready(2, "new")}, nil},
		{"maxUnavailable 2", false, 0, ptr.To(intstr.FromInt32(2)), 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "old")}, []string{"web-2", "web-1"}},
		{"maxUnavailable 50% of 3 rounds down to 1", false, 0, ptr.To(intstr.FromString("50%")), 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "old")}, []string{"web-2"}},
		{"minReadySeconds not yet passed counts as unavailable", false, 0, nil, 60,
			[]*corev1.Pod{ready(0, "old"), testPod(1, "new", true, time.Second), ready(2, "new")}, nil},
		{"parallel replaces unavailable outdated pods at once", true, 0, nil, 0,
			[]*corev1.Pod{testPod(0, "old", false, 0), ready(1, "old"), testPod(2, "old", false, 0)}, []string{"web-2", "web-0"}},
		{"parallel uses the budget on available pods", true, 0, ptr.To(intstr.FromInt32(2)), 0,
			[]*corev1.Pod{ready(0, "old"), ready(1, "old"), ready(2, "old")}, []string{"web-2", "web-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := testSet("web", int32(len(tt.pods)))
			set.Spec.MinReadySeconds = tt.mrs
			set.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateStatefulSetStrategy{
				Partition: ptr.To(tt.partition), MaxUnavailable: tt.maxUnavailable}
			if tt.parallel {
				set.Spec.PodManagementPolicy = appsv1.ParallelPodManagement
			}
			got, err := updateTargets(set, tt.pods, "new", now)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := names(got), tt.want; len(g) != len(w) || (len(g) > 0 && !equalStrings(g, w)) {
				t.Errorf("targets = %v, want %v", g, w)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestStatefulSetMaxUnavailable(t *testing.T) {
	tests := []struct {
		in       *intstr.IntOrString
		replicas int
		want     int
	}{
		{nil, 5, 1},
		{ptr.To(intstr.FromInt32(0)), 5, 1},
		{ptr.To(intstr.FromInt32(3)), 5, 3},
		{ptr.To(intstr.FromString("40%")), 5, 2},
		{ptr.To(intstr.FromString("10%")), 5, 1},
	}
	for _, tt := range tests {
		got, err := statefulSetMaxUnavailable(tt.in, tt.replicas)
		if err != nil || got != tt.want {
			t.Errorf("statefulSetMaxUnavailable(%v, %d) = %d, %v; want %d", tt.in, tt.replicas, got, err, tt.want)
		}
	}
}

func TestCountReplicas(t *testing.T) {
	terminating := testPod(3, "new", true, time.Hour)
	terminating.DeletionTimestamp = ptr.To(metav1.NewTime(now))
	notCreated := testPod(4, "new", false, 0)
	notCreated.Status = corev1.PodStatus{}
	pods := []*corev1.Pod{
		testPod(0, "old", true, time.Hour),
		testPod(1, "new", true, time.Second), // ready, not yet available with minReadySeconds 10
		testPod(2, "new", false, 0),
		terminating,
		notCreated,
	}
	var st appsv1.StatefulSetStatus
	countReplicas(&st, 10, "old", "new", now, pods)
	want := appsv1.StatefulSetStatus{Replicas: 4, ReadyReplicas: 3, AvailableReplicas: 2, CurrentReplicas: 1, UpdatedReplicas: 2}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("status = %+v, want %+v", st, want)
	}

	set := testSet("web", 2)
	done := appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 2, UpdatedReplicas: 2, CurrentReplicas: 0,
		CurrentRevision: "old", UpdateRevision: "new"}
	completeUpdate(set, &done)
	if done.CurrentRevision != "new" || done.CurrentReplicas != 2 {
		t.Errorf("completeUpdate = %+v, want current revision moved to new", done)
	}
	notDone := appsv1.StatefulSetStatus{Replicas: 2, ReadyReplicas: 1, UpdatedReplicas: 2, CurrentRevision: "old", UpdateRevision: "new"}
	completeUpdate(set, &notDone)
	if notDone.CurrentRevision != "old" {
		t.Error("completeUpdate moved the revision before all replicas were ready")
	}
}

func TestNextAvailabilityCheck(t *testing.T) {
	pods := []*corev1.Pod{testPod(0, "r", true, 2*time.Second), testPod(1, "r", true, 7*time.Second), testPod(2, "r", false, 0)}
	got := nextAvailabilityCheck(pods, 10, now)
	if got == nil || *got != 3*time.Second {
		t.Errorf("next check = %v, want 3s", got)
	}
	if got := nextAvailabilityCheck(pods[2:], 10, now); got != nil {
		t.Errorf("next check without ready pods = %v, want nil", *got)
	}
}

func TestSlowStartBatch(t *testing.T) {
	var calls [10]int
	n, err := slowStartBatch(1, 10, func(i int) (bool, error) { calls[i]++; return false, nil })
	if err != nil || n != 10 {
		t.Fatalf("slowStartBatch = %d, %v", n, err)
	}
	for i, c := range calls {
		if c != 1 {
			t.Errorf("item %d called %d times", i, c)
		}
	}
}
