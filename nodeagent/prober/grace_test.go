package prober

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestKillGracePeriod(t *testing.T) {
	c := &corev1.Container{
		LivenessProbe: &corev1.Probe{TerminationGracePeriodSeconds: ptr.To[int64](5)},
		StartupProbe:  &corev1.Probe{TerminationGracePeriodSeconds: ptr.To[int64](7)},
	}
	tests := []struct {
		name     string
		deletion *int64
		pod      *int64
		c        *corev1.Container
		probe    string
		want     int64
	}{
		{name: "no grace period anywhere", c: &corev1.Container{}, probe: "Liveness", want: 2},
		{name: "pod's", pod: ptr.To[int64](30), c: &corev1.Container{}, probe: "Liveness", want: 30},
		{name: "liveness probe's", pod: ptr.To[int64](30), c: c, probe: "Liveness", want: 5},
		{name: "startup probe's", pod: ptr.To[int64](30), c: c, probe: "Startup", want: 7},
		{name: "other kill", pod: ptr.To[int64](30), c: c, probe: "", want: 30},
		{name: "being deleted", deletion: ptr.To[int64](1), pod: ptr.To[int64](30), c: c, probe: "Liveness", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{}
			pod.DeletionGracePeriodSeconds = tt.deletion
			pod.Spec.TerminationGracePeriodSeconds = tt.pod
			if got := KillGracePeriod(pod, tt.c, tt.probe); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
