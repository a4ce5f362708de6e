package deployment

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

var labels = map[string]string{"app": "web"}

func validDeployment() *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: registrytest.PodTemplate(labels, corev1.RestartPolicyAlways),
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType, RollingUpdate: &appsv1.RollingUpdateDeployment{
				MaxUnavailable: ptr.To(intstr.FromString("25%")), MaxSurge: ptr.To(intstr.FromString("25%")),
			}},
			RevisionHistoryLimit:    ptr.To[int32](10),
			ProgressDeadlineSeconds: ptr.To[int32](600),
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   []string
	}{
		{name: "valid", mutate: func(*appsv1.Deployment) {}},
		{name: "zero replicas", mutate: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](0) }},
		{name: "bad name", mutate: func(d *appsv1.Deployment) { d.Name = "Web_1" }, want: []string{"Invalid value metadata.name"}},
		{name: "negative replicas", mutate: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](-1) }, want: []string{"Invalid value spec.replicas"}},
		{
			// As upstream: a nil selector selects nothing, so the template does not match either.
			name: "no selector", mutate: func(d *appsv1.Deployment) { d.Spec.Selector = nil },
			want: []string{"Required value spec.selector", "Invalid value spec.template.metadata.labels"},
		},
		{name: "empty selector", mutate: func(d *appsv1.Deployment) { d.Spec.Selector = &metav1.LabelSelector{} }, want: []string{"Invalid value spec.selector"}},
		{
			name:   "selector does not match the template",
			mutate: func(d *appsv1.Deployment) { d.Spec.Template.Labels = map[string]string{"app": "other"} },
			want:   []string{"Invalid value spec.template.metadata.labels"},
		},
		{
			name: "invalid selector operator",
			mutate: func(d *appsv1.Deployment) {
				d.Spec.Selector.MatchExpressions = []metav1.LabelSelectorRequirement{{Key: "a", Operator: "Sometimes"}}
			},
			want: []string{"Invalid value spec.selector.matchExpressions[0].operator", "Invalid value spec.selector"},
		},
		{
			name:   "restartPolicy must be Always",
			mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure },
			want:   []string{"Unsupported value spec.template.spec.restartPolicy"},
		},
		{
			name:   "activeDeadlineSeconds",
			mutate: func(d *appsv1.Deployment) { d.Spec.Template.Spec.ActiveDeadlineSeconds = ptr.To[int64](5) },
			want:   []string{"Forbidden spec.template.spec.activeDeadlineSeconds"},
		},
		{
			name: "maxSurge and maxUnavailable both 0",
			mutate: func(d *appsv1.Deployment) {
				d.Spec.Strategy.RollingUpdate = &appsv1.RollingUpdateDeployment{MaxUnavailable: ptr.To(intstr.FromInt32(0)), MaxSurge: ptr.To(intstr.FromString("0%"))}
			},
			want: []string{"Invalid value spec.strategy.rollingUpdate.maxUnavailable"},
		},
		{
			name: "maxUnavailable over 100%",
			mutate: func(d *appsv1.Deployment) {
				d.Spec.Strategy.RollingUpdate.MaxUnavailable = ptr.To(intstr.FromString("101%"))
			},
			want: []string{"Invalid value spec.strategy.rollingUpdate.maxUnavailable"},
		},
		{
			name:   "maxSurge not a percentage",
			mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromString("half")) },
			want:   []string{"Invalid value spec.strategy.rollingUpdate.maxSurge"},
		},
		{
			name:   "negative maxSurge",
			mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.RollingUpdate.MaxSurge = ptr.To(intstr.FromInt32(-1)) },
			want:   []string{"Invalid value spec.strategy.rollingUpdate.maxSurge"},
		},
		{
			name:   "Recreate with rollingUpdate",
			mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.Type = appsv1.RecreateDeploymentStrategyType },
			want:   []string{"Forbidden spec.strategy.rollingUpdate"},
		},
		{
			name: "Recreate",
			mutate: func(d *appsv1.Deployment) {
				d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
			},
		},
		{
			name:   "unknown strategy",
			mutate: func(d *appsv1.Deployment) { d.Spec.Strategy.Type = "Blue" },
			want:   []string{"Unsupported value spec.strategy"},
		},
		{
			name:   "negative revisionHistoryLimit",
			mutate: func(d *appsv1.Deployment) { d.Spec.RevisionHistoryLimit = ptr.To[int32](-1) },
			want:   []string{"Invalid value spec.revisionHistoryLimit"},
		},
		{
			name:   "progressDeadlineSeconds not above minReadySeconds",
			mutate: func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = 600 },
			want:   []string{"Invalid value spec.progressDeadlineSeconds"},
		},
		{
			name:   "negative minReadySeconds",
			mutate: func(d *appsv1.Deployment) { d.Spec.MinReadySeconds = -1 },
			want:   []string{"Invalid value spec.minReadySeconds"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := validDeployment()
			tt.mutate(d)
			registrytest.ExpectErrors(t, Validate(d), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*appsv1.Deployment)
		want   []string
	}{
		{name: "scale and change the template", mutate: func(d *appsv1.Deployment) {
			d.Spec.Replicas = ptr.To[int32](10)
			d.Spec.Template.Spec.Containers[0].Image = "registry.example/app:2"
		}},
		{
			name: "selector is immutable",
			mutate: func(d *appsv1.Deployment) {
				d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web", "tier": "x"}}
				d.Spec.Template.Labels = map[string]string{"app": "web", "tier": "x"}
			},
			want: []string{"Invalid value spec.selector"},
		},
		{name: "new spec must be valid", mutate: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](-2) }, want: []string{"Invalid value spec.replicas"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, d := validDeployment(), validDeployment()
			tt.mutate(d)
			registrytest.ExpectErrors(t, ValidateUpdate(d, old), tt.want...)
		})
	}
}

func TestValidateStatusUpdate(t *testing.T) {
	tests := []struct {
		name   string
		status appsv1.DeploymentStatus
		want   []string
	}{
		{name: "valid", status: appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, ReadyReplicas: 2, AvailableReplicas: 2, CollisionCount: ptr.To[int32](2)}},
		{name: "negative", status: appsv1.DeploymentStatus{Replicas: 0, UnavailableReplicas: -1, CollisionCount: ptr.To[int32](2)}, want: []string{"Invalid value status.unavailableReplicas"}},
		{
			name:   "more ready than replicas",
			status: appsv1.DeploymentStatus{Replicas: 1, ReadyReplicas: 2, CollisionCount: ptr.To[int32](2)},
			want:   []string{"Invalid value status.readyReplicas"},
		},
		{
			name:   "more available than ready",
			status: appsv1.DeploymentStatus{Replicas: 2, ReadyReplicas: 1, AvailableReplicas: 2, CollisionCount: ptr.To[int32](2)},
			want:   []string{"Invalid value status.availableReplicas"},
		},
		{name: "collision count decremented", status: appsv1.DeploymentStatus{CollisionCount: ptr.To[int32](1)}, want: []string{"Invalid value status.collisionCount"}},
		{name: "collision count cleared", status: appsv1.DeploymentStatus{}, want: []string{"Invalid value status.collisionCount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, d := validDeployment(), validDeployment()
			old.Status.CollisionCount = ptr.To[int32](2)
			d.Status = tt.status
			registrytest.ExpectErrors(t, ValidateStatusUpdate(d, old), tt.want...)
		})
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	d := validDeployment()
	d.Status.Replicas = 7
	Strategy.PrepareForCreate(ctx, d)
	if d.Generation != 1 || d.Status.Replicas != 0 {
		t.Fatalf("after create: generation %d, status %+v", d.Generation, d.Status)
	}
	old := d.DeepCopy()
	old.Status.Replicas = 3

	tests := []struct {
		name           string
		mutate         func(*appsv1.Deployment)
		wantGeneration int64
	}{
		{name: "labels only", mutate: func(d *appsv1.Deployment) { d.Labels = map[string]string{"x": "y"} }, wantGeneration: 1},
		{name: "status only", mutate: func(d *appsv1.Deployment) { d.Status.Replicas = 9 }, wantGeneration: 1},
		{name: "spec", mutate: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](5) }, wantGeneration: 2},
		{name: "annotations", mutate: func(d *appsv1.Deployment) { d.Annotations = map[string]string{"a": "b"} }, wantGeneration: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := old.DeepCopy()
			tt.mutate(d)
			Strategy.PrepareForUpdate(ctx, d, old)
			if d.Generation != tt.wantGeneration {
				t.Errorf("generation = %d, want %d", d.Generation, tt.wantGeneration)
			}
			if d.Status.Replicas != 3 {
				t.Errorf("status not kept: %+v", d.Status)
			}
		})
	}

	t.Run("status subresource keeps spec and labels", func(t *testing.T) {
		d := old.DeepCopy()
		d.Spec.Replicas = ptr.To[int32](99)
		d.Labels = map[string]string{"changed": "yes"}
		d.Annotations = map[string]string{"note": "kept"}
		d.Status.Replicas = 4
		StatusStrategy.PrepareForUpdate(ctx, d, old)
		if *d.Spec.Replicas != 3 || d.Labels != nil || d.Status.Replicas != 4 || d.Annotations["note"] != "kept" {
			t.Errorf("got spec.replicas %d, labels %v, annotations %v, status %+v", *d.Spec.Replicas, d.Labels, d.Annotations, d.Status)
		}
	})

	t.Run("warning for names that are not DNS labels", func(t *testing.T) {
		d := validDeployment()
		d.Name = "web.example"
		if w := Strategy.WarningsOnCreate(ctx, d); len(w) != 1 {
			t.Errorf("warnings = %v", w)
		}
	})
}

func TestTableAndScale(t *testing.T) {
	d := validDeployment()
	d.Status = appsv1.DeploymentStatus{Replicas: 3, ReadyReplicas: 2, UpdatedReplicas: 1, AvailableReplicas: 2}
	cells, err := table.Row(d)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != "2/3" || cells[1] != int64(1) || cells[2] != int64(2) || cells[4] != "c" || cells[5] != "registry.example/app:1" || cells[6] != "app=web" {
		t.Errorf("cells = %v", cells)
	}
	spec, status, selector, err := scalable.Replicas(d)
	if err != nil || spec != 3 || status != 3 || selector != "app=web" {
		t.Errorf("scale = %d %d %q %v", spec, status, selector, err)
	}
	scalable.SetReplicas(d, 7)
	if *d.Spec.Replicas != 7 {
		t.Errorf("replicas = %d", *d.Spec.Replicas)
	}
}
