package replicaset

import (
	"context"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

var labels = map[string]string{"app": "web"}

func validReplicaSet() *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: registrytest.PodTemplate(labels, corev1.RestartPolicyAlways),
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.ReplicaSet)
		want   []string
	}{
		{name: "valid", mutate: func(*appsv1.ReplicaSet) {}},
		{name: "negative replicas", mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.Replicas = ptr.To[int32](-1) }, want: []string{"Invalid value spec.replicas"}},
		{name: "negative minReadySeconds", mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.MinReadySeconds = -1 }, want: []string{"Invalid value spec.minReadySeconds"}},
		{name: "empty selector", mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.Selector = &metav1.LabelSelector{} }, want: []string{"Invalid value spec.selector"}},
		{
			name:   "selector does not match",
			mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.Selector.MatchLabels = map[string]string{"app": "db"} },
			want:   []string{"Invalid value spec.template.metadata.labels"},
		},
		{
			name:   "restartPolicy Never",
			mutate: func(rs *appsv1.ReplicaSet) { rs.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever },
			want:   []string{"Unsupported value spec.template.spec.restartPolicy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := validReplicaSet()
			tt.mutate(rs)
			registrytest.ExpectErrors(t, Validate(rs), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old, rs := validReplicaSet(), validReplicaSet()
	rs.Spec.Replicas = ptr.To[int32](0)
	registrytest.ExpectErrors(t, ValidateUpdate(rs, old))
	rs.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
	registrytest.ExpectErrors(t, ValidateUpdate(rs, old), "Invalid value spec.selector")
}

func TestValidateStatusUpdate(t *testing.T) {
	old, rs := validReplicaSet(), validReplicaSet()
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, FullyLabeledReplicas: 2, ReadyReplicas: 2, AvailableReplicas: 1, ObservedGeneration: 3}
	registrytest.ExpectErrors(t, ValidateStatusUpdate(rs, old))
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 1, FullyLabeledReplicas: 2, ObservedGeneration: -1}
	registrytest.ExpectErrors(t, ValidateStatusUpdate(rs, old), "Invalid value status.fullyLabeledReplicas", "Invalid value status.observedGeneration")
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	old := validReplicaSet()
	Strategy.PrepareForCreate(ctx, old)
	old.Status.Replicas = 2

	rs := old.DeepCopy()
	rs.Spec.Replicas = ptr.To[int32](4)
	rs.Status.Replicas = 10
	Strategy.PrepareForUpdate(ctx, rs, old)
	if rs.Generation != 2 || rs.Status.Replicas != 2 {
		t.Errorf("update: generation %d, status %+v", rs.Generation, rs.Status)
	}

	rs = old.DeepCopy()
	rs.Spec.Replicas = ptr.To[int32](4)
	rs.Status.Replicas = 10
	rs.Labels = map[string]string{"by": "status"}
	StatusStrategy.PrepareForUpdate(ctx, rs, old)
	if *rs.Spec.Replicas != 2 || rs.Status.Replicas != 10 || rs.Labels["by"] != "status" {
		t.Errorf("status update: spec %d, status %+v, labels %v", *rs.Spec.Replicas, rs.Status, rs.Labels)
	}
}

func TestTable(t *testing.T) {
	rs := validReplicaSet()
	rs.Status = appsv1.ReplicaSetStatus{Replicas: 2, ReadyReplicas: 1}
	cells, err := table.Row(rs)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != int64(2) || cells[1] != int64(2) || cells[2] != int64(1) || cells[6] != "app=web" {
		t.Errorf("cells = %v", cells)
	}
}
