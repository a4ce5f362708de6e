package replicationcontroller

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestConversion(t *testing.T) {
	failure := corev1.ReplicationControllerCondition{Type: corev1.ReplicationControllerReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: "quota"}
	tests := []struct {
		name string
		rc   *corev1.ReplicationController
		// wantSelector is the ReplicaSet's selector.
		wantSelector *metav1.LabelSelector
	}{
		{
			name: "full",
			rc: &corev1.ReplicationController{
				ObjectMeta: metav1.ObjectMeta{Name: "rc", Namespace: "ns", UID: "u", Generation: 4},
				Spec: corev1.ReplicationControllerSpec{
					Replicas: ptr.To[int32](3), MinReadySeconds: 5, Selector: map[string]string{"app": "a"},
					Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a"}}},
				},
				Status: corev1.ReplicationControllerStatus{Replicas: 2, FullyLabeledReplicas: 2, ReadyReplicas: 1, AvailableReplicas: 1,
					ObservedGeneration: 3, Conditions: []corev1.ReplicationControllerCondition{failure}},
			},
			wantSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
		},
		{name: "no selector nor template", rc: &corev1.ReplicationController{ObjectMeta: metav1.ObjectMeta{Name: "rc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := ToReplicaSet(tt.rc)
			if rs.Name != tt.rc.Name || rs.UID != tt.rc.UID || rs.Generation != tt.rc.Generation ||
				!ptr.Equal(rs.Spec.Replicas, tt.rc.Spec.Replicas) || rs.Spec.MinReadySeconds != tt.rc.Spec.MinReadySeconds {
				t.Errorf("ReplicaSet %+v", rs)
			}
			if !apiequality.Semantic.DeepEqual(rs.Spec.Selector, tt.wantSelector) {
				t.Errorf("selector %v, want %v", rs.Spec.Selector, tt.wantSelector)
			}
			if tt.rc.Spec.Template != nil && !apiequality.Semantic.DeepEqual(rs.Spec.Template, *tt.rc.Spec.Template) {
				t.Errorf("template %v", rs.Spec.Template)
			}
			if back := FromReplicaSetStatus(rs.Status); !apiequality.Semantic.DeepEqual(back, tt.rc.Status) {
				t.Errorf("status round trip: %+v, want %+v", back, tt.rc.Status)
			}
			// The view is a copy.
			if rs.Spec.Selector != nil {
				rs.Spec.Selector.MatchLabels["app"] = "changed"
				if tt.rc.Spec.Selector["app"] != "a" {
					t.Error("the ReplicaSet shares the controller's selector")
				}
			}
		})
	}
	s := appsv1.ReplicaSetStatus{Replicas: 1, TerminatingReplicas: ptr.To[int32](2)}
	if got := FromReplicaSetStatus(s); got.Replicas != 1 {
		t.Errorf("status %+v", got)
	}
}
