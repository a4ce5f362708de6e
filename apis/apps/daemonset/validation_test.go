package daemonset

import (
	"context"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var agentLabels = map[string]string{"app": "agent"}

func validDaemonSet() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default", ResourceVersion: "1"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: agentLabels},
			Template: registrytest.PodTemplate(agentLabels, corev1.RestartPolicyAlways),
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{Type: appsv1.RollingUpdateDaemonSetStrategyType, RollingUpdate: &appsv1.RollingUpdateDaemonSet{
				MaxUnavailable: ptr.To(intstr.FromInt32(1)), MaxSurge: ptr.To(intstr.FromInt32(0)),
			}},
			RevisionHistoryLimit: ptr.To[int32](10),
		},
	}
}

func TestValidate(t *testing.T) {
	rolling := func(maxUnavailable, maxSurge intstr.IntOrString) func(*appsv1.DaemonSet) {
		return func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxUnavailable: &maxUnavailable, MaxSurge: &maxSurge}
		}
	}
	tests := []struct {
		name   string
		mutate func(*appsv1.DaemonSet)
		want   []string
	}{
		{name: "valid", mutate: func(*appsv1.DaemonSet) {}},
		{name: "surge instead of unavailability", mutate: rolling(intstr.FromInt32(0), intstr.FromString("10%"))},
		{name: "OnDelete", mutate: func(ds *appsv1.DaemonSet) {
			ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
		}},
		{name: "both non-zero", mutate: rolling(intstr.FromInt32(1), intstr.FromInt32(1)), want: []string{"Invalid value spec.updateStrategy.rollingUpdate.maxSurge"}},
		{name: "both zero", mutate: rolling(intstr.FromInt32(0), intstr.FromString("0%")), want: []string{"Required value spec.updateStrategy.rollingUpdate.maxUnavailable"}},
		{
			name: "over 100%", mutate: rolling(intstr.FromString("150%"), intstr.FromInt32(0)),
			want: []string{"Invalid value spec.updateStrategy.rollingUpdate.maxUnavailable"},
		},
		{
			name:   "RollingUpdate without parameters",
			mutate: func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.RollingUpdate = nil },
			want:   []string{"Required value spec.updateStrategy.rollingUpdate"},
		},
		{name: "unknown strategy", mutate: func(ds *appsv1.DaemonSet) { ds.Spec.UpdateStrategy.Type = "Now" }, want: []string{"Unsupported value spec.updateStrategy"}},
		{name: "empty selector", mutate: func(ds *appsv1.DaemonSet) { ds.Spec.Selector = &metav1.LabelSelector{} }, want: []string{"Invalid value spec.selector"}},
		{
			name:   "selector does not match",
			mutate: func(ds *appsv1.DaemonSet) { ds.Spec.Template.Labels = map[string]string{"app": "x"} },
			want:   []string{"Invalid value spec.template.metadata.labels"},
		},
		{
			name:   "restartPolicy",
			mutate: func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure },
			want:   []string{"Unsupported value spec.template.spec.restartPolicy"},
		},
		{name: "negative revisionHistoryLimit", mutate: func(ds *appsv1.DaemonSet) { ds.Spec.RevisionHistoryLimit = ptr.To[int32](-1) }, want: []string{"Invalid value spec.revisionHistoryLimit"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := validDaemonSet()
			tt.mutate(ds)
			registrytest.ExpectErrors(t, Validate(ds), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old, ds := validDaemonSet(), validDaemonSet()
	ds.Spec.Template.Spec.Containers[0].Image = "registry.example/agent:2"
	registrytest.ExpectErrors(t, ValidateUpdate(ds, old))
	ds.Spec.Selector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "app", Operator: metav1.LabelSelectorOpExists}}}
	registrytest.ExpectErrors(t, ValidateUpdate(ds, old), "Invalid value spec.selector")
}

func TestValidateStatusUpdate(t *testing.T) {
	old, ds := validDaemonSet(), validDaemonSet()
	old.Status.CollisionCount = ptr.To[int32](1)
	ds.Status = appsv1.DaemonSetStatus{NumberReady: -1, CollisionCount: ptr.To[int32](0)}
	registrytest.ExpectErrors(t, ValidateStatusUpdate(ds, old), "Invalid value status.numberReady", "Invalid value status.collisionCount")
}

func TestTemplateGeneration(t *testing.T) {
	ctx := context.Background()
	ds := validDaemonSet()
	Strategy.PrepareForCreate(ctx, ds)
	if ds.Generation != 1 || ds.Annotations[appsv1.DeprecatedTemplateGeneration] != "1" {
		t.Fatalf("create: generation %d, annotations %v", ds.Generation, ds.Annotations)
	}
	old := ds.DeepCopy()

	tests := []struct {
		name               string
		mutate             func(*appsv1.DaemonSet)
		generation         int64
		templateGeneration string
	}{
		{name: "no change", mutate: func(*appsv1.DaemonSet) {}, generation: 1, templateGeneration: "1"},
		{name: "annotation is the server's", mutate: func(ds *appsv1.DaemonSet) {
			ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "7"}
		}, generation: 1, templateGeneration: "1"},
		{name: "spec change", mutate: func(ds *appsv1.DaemonSet) { ds.Spec.MinReadySeconds = 4 }, generation: 2, templateGeneration: "1"},
		{name: "template change", mutate: func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.Containers[0].Image = "x:2" }, generation: 2, templateGeneration: "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := old.DeepCopy()
			tt.mutate(ds)
			Strategy.PrepareForUpdate(ctx, ds, old)
			if ds.Generation != tt.generation || ds.Annotations[appsv1.DeprecatedTemplateGeneration] != tt.templateGeneration {
				t.Errorf("generation %d, annotations %v", ds.Generation, ds.Annotations)
			}
		})
	}

	t.Run("status write keeps it", func(t *testing.T) {
		ds := old.DeepCopy()
		ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "9", "other": "x"}
		StatusStrategy.PrepareForUpdate(ctx, ds, old)
		if ds.Annotations[appsv1.DeprecatedTemplateGeneration] != "1" || ds.Annotations["other"] != "x" {
			t.Errorf("annotations %v", ds.Annotations)
		}
	})
}

func TestTable(t *testing.T) {
	ds := validDaemonSet()
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/os": "linux"}
	ds.Status = appsv1.DaemonSetStatus{DesiredNumberScheduled: 3, CurrentNumberScheduled: 2, NumberReady: 1, UpdatedNumberScheduled: 2, NumberAvailable: 1}
	cells, err := table.Row(ds)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != int64(3) || cells[4] != int64(1) || cells[5] != "kubernetes.io/os=linux" || cells[9] != "app=agent" {
		t.Errorf("cells = %v", cells)
	}
}
