package pod

import (
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestBudgetRefusal(t *testing.T) {
	budget := func(allowed, current, desired int32, mutate func(*policyv1.PodDisruptionBudget)) *policyv1.PodDisruptionBudget {
		pdb := &policyv1.PodDisruptionBudget{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: 2},
			Status: policyv1.PodDisruptionBudgetStatus{
				ObservedGeneration: 2, DisruptionsAllowed: allowed, CurrentHealthy: current, DesiredHealthy: desired,
			},
		}
		if mutate != nil {
			mutate(pdb)
		}
		return pdb
	}
	tests := []struct {
		name      string
		pdb       *policyv1.PodDisruptionBudget
		wantCode  int32 // 0: allowed
		wantCause string
	}{
		{"allowed", budget(1, 3, 2, nil), 0, ""},
		{"stale status", budget(1, 3, 2, func(p *policyv1.PodDisruptionBudget) { p.Status.ObservedGeneration = 1 }),
			429, "The disruption budget web is still being processed by the server."},
		{"negative", budget(-1, 3, 2, nil), 403,
			"The disruption budget web does not allow evicting pods currently: pdb disruptions allowed is negative"},
		{"too many disrupted", budget(1, 3, 2, func(p *policyv1.PodDisruptionBudget) {
			p.Status.DisruptedPods = map[string]metav1.Time{}
			for i := range maxDisruptedPodSize + 1 {
				p.Status.DisruptedPods[strconv.Itoa(i)] = metav1.Now()
			}
		}), 403, "The disruption budget web does not allow evicting pods currently: too many pending evictions not confirmed by PDB controller"},
		{"needs healthy pods", budget(0, 2, 2, nil), 429, "The disruption budget web needs 2 healthy pods and has 2 currently"},
		{"sync failed", budget(0, 3, 2, func(p *policyv1.PodDisruptionBudget) {
			p.Status.Conditions = []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.SyncFailedReason, Message: "boom"}}
		}), 429, "The disruption budget web does not allow evicting pods currently because it failed sync: boom"},
		{"other false condition", budget(0, 3, 2, func(p *policyv1.PodDisruptionBudget) {
			p.Status.Conditions = []metav1.Condition{{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: "Odd", Message: "why"}}
		}), 429, "The disruption budget web does not allow evicting pods currently (Odd): why"},
		{"plain", budget(0, 3, 2, nil), 429, "The disruption budget web does not allow evicting pods currently"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := budgetRefusal(tt.pdb)
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("want allowed, got %v", err)
				}
				return
			}
			status, ok := err.(apierrors.APIStatus)
			if !ok {
				t.Fatalf("want an API error, got %v", err)
			}
			s := status.Status()
			if s.Code != tt.wantCode {
				t.Errorf("code %d, want %d", s.Code, tt.wantCode)
			}
			if s.Details == nil || len(s.Details.Causes) != 1 || s.Details.Causes[0].Type != policyv1.DisruptionBudgetCause || s.Details.Causes[0].Message != tt.wantCause {
				t.Errorf("causes %+v, want %q", s.Details, tt.wantCause)
			}
			if tt.wantCode == 429 && s.Message != "Cannot evict pod as it would violate the pod's disruption budget." {
				t.Errorf("message %q", s.Message)
			}
		})
	}
}

func TestCanIgnoreBudget(t *testing.T) {
	now := metav1.Now()
	tests := []struct {
		name        string
		phase       corev1.PodPhase
		deleting    bool
		wantIgnore  bool
		wantEnforce bool
	}{
		{"pending", corev1.PodPending, false, true, true},
		{"running", corev1.PodRunning, false, false, true},
		{"succeeded", corev1.PodSucceeded, false, true, false},
		{"failed", corev1.PodFailed, false, true, false},
		{"running but terminating", corev1.PodRunning, true, true, false},
		{"unknown", corev1.PodUnknown, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Status: corev1.PodStatus{Phase: tt.phase}}
			if tt.deleting {
				pod.DeletionTimestamp = &now
			}
			if got := canIgnoreBudget(pod); got != tt.wantIgnore {
				t.Errorf("canIgnoreBudget = %v, want %v", got, tt.wantIgnore)
			}
			if got := enforceResourceVersion(pod); got != tt.wantEnforce {
				t.Errorf("enforceResourceVersion = %v, want %v", got, tt.wantEnforce)
			}
		})
	}
}
