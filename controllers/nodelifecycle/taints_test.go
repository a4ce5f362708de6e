package nodelifecycle

import (
	"reflect"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func noSchedule(key string) corev1.Taint {
	return corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule}
}

func TestNoScheduleTaintDiff(t *testing.T) {
	cond := func(t corev1.NodeConditionType, s corev1.ConditionStatus) corev1.NodeCondition {
		return corev1.NodeCondition{Type: t, Status: s}
	}
	tests := []struct {
		name          string
		conditions    []corev1.NodeCondition
		unschedulable bool
		taints        []corev1.Taint
		add, remove   []corev1.Taint
	}{
		{"healthy", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, false, nil, nil, nil},
		{"not ready", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionFalse)}, false, nil, []corev1.Taint{noSchedule(corev1.TaintNodeNotReady)}, nil},
		{"unknown replaces not ready", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionUnknown)}, false,
			[]corev1.Taint{noSchedule(corev1.TaintNodeNotReady)},
			[]corev1.Taint{noSchedule(corev1.TaintNodeUnreachable)}, []corev1.Taint{noSchedule(corev1.TaintNodeNotReady)}},
		{"pressure", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue), cond(corev1.NodeDiskPressure, corev1.ConditionTrue)}, false, nil,
			[]corev1.Taint{noSchedule(corev1.TaintNodeDiskPressure)}, nil},
		{"cordoned", nil, true, nil, []corev1.Taint{noSchedule(corev1.TaintNodeUnschedulable)}, nil},
		{"uncordoned", nil, false, []corev1.Taint{noSchedule(corev1.TaintNodeUnschedulable)}, nil, []corev1.Taint{noSchedule(corev1.TaintNodeUnschedulable)}},
		{"others' and NoExecute taints left alone", []corev1.NodeCondition{cond(corev1.NodeReady, corev1.ConditionTrue)}, false,
			[]corev1.Taint{noSchedule("example.com/x"), unreachableTaint}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := &corev1.Node{Spec: corev1.NodeSpec{Unschedulable: tt.unschedulable, Taints: tt.taints}, Status: corev1.NodeStatus{Conditions: tt.conditions}}
			add, remove := noScheduleTaintDiff(node)
			if !reflect.DeepEqual(add, tt.add) || !reflect.DeepEqual(remove, tt.remove) {
				t.Errorf("diff = +%v -%v, want +%v -%v", add, remove, tt.add, tt.remove)
			}
		})
	}
}

func TestApplyTaints(t *testing.T) {
	t1 := metav1.NewTime(time.Unix(1000, 0))
	t2 := metav1.NewTime(time.Unix(2000, 0))
	stamped := func(taint corev1.Taint, ts metav1.Time) corev1.Taint { taint.TimeAdded = &ts; return taint }
	other := noSchedule("example.com/x")
	tests := []struct {
		name            string
		taints, add, rm []corev1.Taint
		want            []corev1.Taint
		wantChanged     bool
	}{
		{"add", []corev1.Taint{other}, []corev1.Taint{stamped(unreachableTaint, t1)}, nil, []corev1.Taint{other, stamped(unreachableTaint, t1)}, true},
		{"equal kept", []corev1.Taint{stamped(unreachableTaint, t1)}, []corev1.Taint{stamped(unreachableTaint, t1)}, nil, []corev1.Taint{stamped(unreachableTaint, t1)}, false},
		{"different time replaced", []corev1.Taint{stamped(unreachableTaint, t1)}, []corev1.Taint{stamped(unreachableTaint, t2)}, nil, []corev1.Taint{stamped(unreachableTaint, t2)}, true},
		{"swap", []corev1.Taint{other, stamped(notReadyTaint, t1)}, []corev1.Taint{stamped(unreachableTaint, t2)}, []corev1.Taint{notReadyTaint}, []corev1.Taint{other, stamped(unreachableTaint, t2)}, true},
		{"remove missing", []corev1.Taint{other}, nil, []corev1.Taint{notReadyTaint}, []corev1.Taint{other}, false},
		{"remove matches effect", []corev1.Taint{noSchedule(corev1.TaintNodeNotReady)}, nil, []corev1.Taint{notReadyTaint}, []corev1.Taint{noSchedule(corev1.TaintNodeNotReady)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := applyTaints(tt.taints, tt.add, tt.rm)
			if changed != tt.wantChanged || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("applyTaints = %v, %v; want %v, %v", got, changed, tt.want, tt.wantChanged)
			}
		})
	}
}

func TestBetaLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels map[string]string
		want   map[string]string
	}{
		{"missing beta", map[string]string{corev1.LabelOSStable: "linux"}, map[string]string{"beta.kubernetes.io/os": "linux"}},
		{"mismatch", map[string]string{corev1.LabelArchStable: "arm64", "beta.kubernetes.io/arch": "amd64"}, map[string]string{"beta.kubernetes.io/arch": "arm64"}},
		{"in line", map[string]string{corev1.LabelOSStable: "linux", "beta.kubernetes.io/os": "linux"}, map[string]string{}},
		{"no stable", map[string]string{"beta.kubernetes.io/os": "linux"}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := betaLabels(tt.labels); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("betaLabels = %v, want %v", got, tt.want)
			}
		})
	}
}
