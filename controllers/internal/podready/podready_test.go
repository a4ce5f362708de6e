package podready

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestReadyAndAvailable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	pod := func(status corev1.ConditionStatus, since time.Duration) *corev1.Pod {
		p := &corev1.Pod{}
		if status != "" {
			p.Status.Conditions = []corev1.PodCondition{
				{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
				{Type: corev1.PodReady, Status: status, LastTransitionTime: metav1.NewTime(now.Add(-since))},
			}
		}
		return p
	}
	tests := []struct {
		name            string
		pod             *corev1.Pod
		minReadySeconds int32
		ready, avail    bool
	}{
		{"no condition", pod("", 0), 0, false, false},
		{"not ready", pod(corev1.ConditionFalse, time.Hour), 0, false, false},
		{"ready, no minReadySeconds", pod(corev1.ConditionTrue, 0), 0, true, true},
		{"ready too recently", pod(corev1.ConditionTrue, 9*time.Second), 10, true, false},
		{"ready exactly minReadySeconds", pod(corev1.ConditionTrue, 10*time.Second), 10, true, true},
		{"ready long enough", pod(corev1.ConditionTrue, time.Minute), 10, true, true},
		{"ready without transition time", &corev1.Pod{Status: corev1.PodStatus{Conditions: []corev1.PodCondition{
			{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}, 10, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsReady(tt.pod); got != tt.ready {
				t.Errorf("IsReady = %v, want %v", got, tt.ready)
			}
			if got := IsAvailable(tt.pod, tt.minReadySeconds, now); got != tt.avail {
				t.Errorf("IsAvailable = %v, want %v", got, tt.avail)
			}
		})
	}
}
