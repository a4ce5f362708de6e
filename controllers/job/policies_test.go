package job

import (
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func failedPod(conds []corev1.PodCondition, containers ...corev1.ContainerStatus) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p"},
		Status:     corev1.PodStatus{Phase: corev1.PodFailed, Conditions: conds, ContainerStatuses: containers},
	}
}

func exited(name string, code int32) corev1.ContainerStatus {
	return corev1.ContainerStatus{Name: name, State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}}
}

func TestMatchFailurePolicy(t *testing.T) {
	onCodes := func(action batchv1.PodFailurePolicyAction, op batchv1.PodFailurePolicyOnExitCodesOperator, container *string, codes ...int32) batchv1.PodFailurePolicyRule {
		return batchv1.PodFailurePolicyRule{Action: action, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{ContainerName: container, Operator: op, Values: codes}}
	}
	disruption := batchv1.PodFailurePolicyRule{
		Action:          batchv1.PodFailurePolicyActionIgnore,
		OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}},
	}
	disrupted := []corev1.PodCondition{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}}
	tests := []struct {
		name       string
		rules      []batchv1.PodFailurePolicyRule
		pod        *corev1.Pod
		wantAction batchv1.PodFailurePolicyAction
		wantCounts bool
		wantMsg    string
	}{
		{name: "no policy", pod: failedPod(nil, exited("main", 1)), wantCounts: true},
		{
			name:       "FailJob on exit code",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyOnExitCodesOpIn, nil, 42)},
			pod:        failedPod(nil, exited("main", 42)),
			wantAction: batchv1.PodFailurePolicyActionFailJob, wantCounts: true,
			wantMsg: "Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 0",
		},
		{
			name:       "exit code not in values",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyOnExitCodesOpIn, nil, 42)},
			pod:        failedPod(nil, exited("main", 1)),
			wantCounts: true,
		},
		{
			name:       "NotIn matches other codes, never 0",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionIgnore, batchv1.PodFailurePolicyOnExitCodesOpNotIn, nil, 1)},
			pod:        failedPod(nil, exited("ok", 0), exited("main", 3)),
			wantAction: batchv1.PodFailurePolicyActionIgnore, wantCounts: false,
		},
		{
			name:       "container name must match",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionFailJob, batchv1.PodFailurePolicyOnExitCodesOpIn, ptr.To("side"), 42)},
			pod:        failedPod(nil, exited("main", 42)),
			wantCounts: true,
		},
		{
			name:       "Ignore on disruption condition",
			rules:      []batchv1.PodFailurePolicyRule{disruption},
			pod:        failedPod(disrupted, exited("main", 137)),
			wantAction: batchv1.PodFailurePolicyActionIgnore, wantCounts: false,
		},
		{
			name:       "first matching rule wins",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionCount, batchv1.PodFailurePolicyOnExitCodesOpIn, nil, 137), disruption},
			pod:        failedPod(disrupted, exited("main", 137)),
			wantAction: batchv1.PodFailurePolicyActionCount, wantCounts: true,
		},
		{
			name: "FailJob on condition",
			rules: []batchv1.PodFailurePolicyRule{{
				Action:          batchv1.PodFailurePolicyActionFailJob,
				OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue}},
			}},
			pod:        failedPod(disrupted),
			wantAction: batchv1.PodFailurePolicyActionFailJob, wantCounts: true,
			wantMsg: "Pod ns/p has condition DisruptionTarget matching FailJob rule at index 0",
		},
		{
			name:       "FailIndex counts",
			rules:      []batchv1.PodFailurePolicyRule{onCodes(batchv1.PodFailurePolicyActionFailIndex, batchv1.PodFailurePolicyOnExitCodesOpIn, nil, 5)},
			pod:        failedPod(nil, exited("main", 5)),
			wantAction: batchv1.PodFailurePolicyActionFailIndex, wantCounts: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var policy *batchv1.PodFailurePolicy
			if tt.rules != nil {
				policy = &batchv1.PodFailurePolicy{Rules: tt.rules}
			}
			m := matchFailurePolicy(policy, tt.pod)
			if m.action != tt.wantAction || m.counts() != tt.wantCounts || m.failJobMessage != tt.wantMsg {
				t.Errorf("got action %q counts %v msg %q; want %q %v %q", m.action, m.counts(), m.failJobMessage, tt.wantAction, tt.wantCounts, tt.wantMsg)
			}
		})
	}
}

func TestMatchSuccessPolicy(t *testing.T) {
	rule := func(indexes *string, count *int32) batchv1.SuccessPolicyRule {
		return batchv1.SuccessPolicyRule{SucceededIndexes: indexes, SucceededCount: count}
	}
	tests := []struct {
		name      string
		rules     []batchv1.SuccessPolicyRule
		succeeded string
		wantMsg   string
	}{
		{name: "all required indexes", rules: []batchv1.SuccessPolicyRule{rule(ptr.To("0,2-3"), nil)}, succeeded: "0-3", wantMsg: "Matched rules at index 0"},
		{name: "missing a required index", rules: []batchv1.SuccessPolicyRule{rule(ptr.To("0,2-3"), nil)}, succeeded: "0,1,3"},
		{name: "count within indexes", rules: []batchv1.SuccessPolicyRule{rule(ptr.To("2-5"), ptr.To[int32](2))}, succeeded: "0,3,5", wantMsg: "Matched rules at index 0"},
		{name: "count within indexes not reached", rules: []batchv1.SuccessPolicyRule{rule(ptr.To("2-5"), ptr.To[int32](3))}, succeeded: "0,3,5"},
		{name: "count only", rules: []batchv1.SuccessPolicyRule{rule(ptr.To("9"), nil), rule(nil, ptr.To[int32](2))}, succeeded: "4,7", wantMsg: "Matched rules at index 1"},
		{name: "nothing succeeded", rules: []batchv1.SuccessPolicyRule{rule(nil, ptr.To[int32](1))}, succeeded: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, ok := matchSuccessPolicy(&batchv1.SuccessPolicy{Rules: tt.rules}, 10, parseIndexes(tt.succeeded, 10))
			if msg != tt.wantMsg || ok != (tt.wantMsg != "") {
				t.Errorf("got %q %v, want %q", msg, ok, tt.wantMsg)
			}
		})
	}
}
