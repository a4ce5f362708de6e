package podstatus

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestUpdateCondition(t *testing.T) {
	then := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(then.Add(time.Hour))
	ready := func(s corev1.ConditionStatus) corev1.PodCondition {
		return corev1.PodCondition{Type: corev1.PodReady, Status: s, LastTransitionTime: then}
	}
	tests := []struct {
		name        string
		conditions  []corev1.PodCondition
		cond        corev1.PodCondition
		wantChanged bool
		wantTime    metav1.Time
		wantLen     int
	}{
		{"added", nil, ready(corev1.ConditionFalse), true, now, 1},
		{"status flips", []corev1.PodCondition{ready(corev1.ConditionTrue)}, ready(corev1.ConditionFalse), true, now, 1},
		{"same status keeps time", []corev1.PodCondition{ready(corev1.ConditionFalse)}, ready(corev1.ConditionFalse), false, then, 1},
		{"reason changes", []corev1.PodCondition{ready(corev1.ConditionFalse)}, corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "X"}, true, then, 1},
		{"other type appended", []corev1.PodCondition{ready(corev1.ConditionTrue)}, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}, true, now, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := corev1.PodStatus{Conditions: tt.conditions}
			if got := UpdateCondition(&status, tt.cond, now); got != tt.wantChanged {
				t.Errorf("changed = %v, want %v", got, tt.wantChanged)
			}
			if len(status.Conditions) != tt.wantLen {
				t.Fatalf("conditions = %v", status.Conditions)
			}
			c := Condition(&status, tt.cond.Type)
			if c == nil || c.Status != tt.cond.Status || !c.LastTransitionTime.Equal(&tt.wantTime) {
				t.Errorf("condition = %+v, want status %s at %v", c, tt.cond.Status, tt.wantTime)
			}
		})
	}
}

func TestStatusPatch(t *testing.T) {
	old := corev1.PodStatus{Phase: corev1.PodRunning}
	patch, unchanged, err := statusPatch("u1", old, old)
	if err != nil || !unchanged {
		t.Fatalf("same status: unchanged=%v err=%v patch=%s", unchanged, err, patch)
	}
	changed := corev1.PodStatus{Phase: corev1.PodFailed}
	patch, unchanged, err = statusPatch("u1", old, changed)
	if err != nil || unchanged {
		t.Fatalf("changed status: unchanged=%v err=%v", unchanged, err)
	}
	if !strings.Contains(string(patch), `"phase":"Failed"`) || !strings.Contains(string(patch), `"uid":"u1"`) {
		t.Errorf("patch = %s", patch)
	}
}
