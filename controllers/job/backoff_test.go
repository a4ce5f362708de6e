package job

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestBackoffDelay(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		failures int32
		ago      time.Duration
		want     time.Duration
	}{
		{failures: 0, want: 0},
		{failures: 1, ago: 0, want: 10 * time.Second},
		{failures: 1, ago: 4 * time.Second, want: 6 * time.Second},
		{failures: 1, ago: 10 * time.Second, want: 0},
		{failures: 2, ago: 5 * time.Second, want: 15 * time.Second},
		{failures: 3, want: 40 * time.Second},
		{failures: 6, want: 320 * time.Second},
		{failures: 7, want: 10 * time.Minute},
		{failures: 8, want: 10 * time.Minute},
		{failures: 50, ago: time.Minute, want: 9 * time.Minute},
	}
	for _, tt := range tests {
		last := now.Add(-tt.ago)
		if got := backoffDelay(tt.failures, &last, now); got != tt.want {
			t.Errorf("backoffDelay(%d, %v ago) = %v, want %v", tt.failures, tt.ago, got, tt.want)
		}
	}
}

func finishedAt(phase corev1.PodPhase, at time.Time) *corev1.Pod {
	return &corev1.Pod{Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{
		Name: "c", State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{FinishedAt: metav1.NewTime(at)}},
	}}}}
}

func TestNextBackoffRecord(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	prev := backoffRecord{failuresAfterLastSuccess: 2, lastFailureTime: ptr.To(at(0))}
	tests := []struct {
		name       string
		succeeded  []*corev1.Pod
		failed     []*corev1.Pod
		wantCount  int32
		wantLastAt *time.Time
	}{
		{name: "nothing new", wantCount: 2, wantLastAt: ptr.To(at(0))},
		{name: "more failures", failed: []*corev1.Pod{finishedAt(corev1.PodFailed, at(9)), finishedAt(corev1.PodFailed, at(5))}, wantCount: 4, wantLastAt: ptr.To(at(9))},
		{name: "a success resets", succeeded: []*corev1.Pod{finishedAt(corev1.PodSucceeded, at(3))}},
		{
			name:      "failures after the last success count",
			succeeded: []*corev1.Pod{finishedAt(corev1.PodSucceeded, at(5))},
			failed:    []*corev1.Pod{finishedAt(corev1.PodFailed, at(2)), finishedAt(corev1.PodFailed, at(7)), finishedAt(corev1.PodFailed, at(8))},
			wantCount: 2, wantLastAt: ptr.To(at(8)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nextBackoffRecord(prev, tt.succeeded, tt.failed)
			if got.failuresAfterLastSuccess != tt.wantCount || !ptr.Equal(got.lastFailureTime, tt.wantLastAt) {
				t.Errorf("got %d at %v, want %d at %v", got.failuresAfterLastSuccess, got.lastFailureTime, tt.wantCount, tt.wantLastAt)
			}
		})
	}
}

func TestPodFinishTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	created := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(t0)}}
	notReady := created.DeepCopy()
	notReady.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: metav1.NewTime(t0.Add(time.Minute))}}
	deleted := created.DeepCopy()
	deleted.DeletionTimestamp = ptr.To(metav1.NewTime(t0.Add(time.Hour)))
	deleted.DeletionGracePeriodSeconds = ptr.To[int64](30)
	tests := []struct {
		name string
		pod  *corev1.Pod
		want time.Time
	}{
		{name: "containers", pod: finishedAt(corev1.PodFailed, t0.Add(time.Second)), want: t0.Add(time.Second)},
		{name: "ready false", pod: notReady, want: t0.Add(time.Minute)},
		{name: "deletion less grace", pod: deleted, want: t0.Add(time.Hour - 30*time.Second)},
		{name: "creation", pod: created, want: t0},
	}
	for _, tt := range tests {
		if got := podFinishTime(tt.pod); !got.Equal(tt.want) {
			t.Errorf("%s: podFinishTime = %v, want %v", tt.name, got, tt.want)
		}
	}
}
