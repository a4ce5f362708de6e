package horizontalpodautoscaler

import (
	"context"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

func validHPA() *autoscalingv2.HorizontalPodAutoscaler {
	hpa := fullV2()
	hpa.ResourceVersion = "1"
	return hpa
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*autoscalingv2.HorizontalPodAutoscaler)
		want   []string
	}{
		{name: "valid", mutate: func(*autoscalingv2.HorizontalPodAutoscaler) {}},
		{name: "scale to zero with an external metric", mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](0) }},
		{
			name: "scale to zero needs an object or external metric",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.MinReplicas = ptr.To[int32](0)
				h.Spec.Metrics = h.Spec.Metrics[:2]
			},
			want: []string{"Forbidden spec.metrics"},
		},
		{name: "negative minReplicas", mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](-1) }, want: []string{"Invalid value spec.minReplicas"}},
		{name: "no maxReplicas", mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MaxReplicas = 0 }, want: []string{"Required value spec.maxReplicas", "Invalid value spec.maxReplicas"}},
		{name: "max below min", mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MaxReplicas = 1 }, want: []string{"Invalid value spec.maxReplicas"}},
		{
			name: "scale target",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference{APIVersion: "v1"}
			},
			want: []string{"Required value spec.scaleTargetRef.kind", "Required value spec.scaleTargetRef.name", "Invalid value spec.scaleTargetRef.apiVersion"},
		},
		{
			name: "core group for ReplicationControllers",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.ScaleTargetRef = autoscalingv2.CrossVersionObjectReference{APIVersion: "v1", Kind: "ReplicationController", Name: "rc"}
			},
		},
		{name: "name with a slash", mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.ScaleTargetRef.Name = "a/b" }, want: []string{"Invalid value spec.scaleTargetRef.name"}},
		{
			name: "metric without source",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType}}
			},
			want: []string{"Required value spec.metrics[0].resource"},
		},
		{
			name: "metric with two sources",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Metrics[0].Resource = h.Spec.Metrics[1].Resource
			},
			want: []string{"Forbidden spec.metrics[0].resource"},
		},
		{
			name: "unknown metric type",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: "Weather"}}
			},
			want: []string{"Unsupported value spec.metrics[0].type", "Unsupported value spec.metrics[0].type"},
		},
		{
			name: "resource target",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Metrics[1].Resource.Target = autoscalingv2.MetricTarget{Type: "Most", AverageUtilization: ptr.To[int32](0), AverageValue: quantityPtr("-1")}
			},
			want: []string{
				"Invalid value spec.metrics[1].resource.target.type",
				"Invalid value spec.metrics[1].resource.target.averageValue",
				"Invalid value spec.metrics[1].resource.target.averageUtilization",
				"Forbidden spec.metrics[1].resource.target.averageValue",
			},
		},
		{
			name: "container resource",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Metrics = []autoscalingv2.MetricSpec{{Type: autoscalingv2.ContainerResourceMetricSourceType, ContainerResource: &autoscalingv2.ContainerResourceMetricSource{
					Name: "pods", Container: "App", Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](50)},
				}}}
			},
			want: []string{"Invalid value spec.metrics[0].containerResource.name", "Invalid value spec.metrics[0].containerResource.container"},
		},
		{
			name: "behavior",
			mutate: func(h *autoscalingv2.HorizontalPodAutoscaler) {
				h.Spec.Behavior.ScaleDown = &autoscalingv2.HPAScalingRules{
					StabilizationWindowSeconds: ptr.To[int32](3601),
					SelectPolicy:               ptr.To(autoscalingv2.ScalingPolicySelect("Random")),
					Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: "Nodes", Value: 0, PeriodSeconds: 1801}},
					Tolerance:                  ptr.To(resource.MustParse("-0.1")),
				}
				h.Spec.Behavior.ScaleUp = &autoscalingv2.HPAScalingRules{}
			},
			want: []string{
				"Invalid value spec.behavior.scaleDown.stabilizationWindowSeconds",
				"Unsupported value spec.behavior.scaleDown.selectPolicy",
				"Unsupported value spec.behavior.scaleDown.policies[0].type",
				"Invalid value spec.behavior.scaleDown.policies[0].value",
				"Invalid value spec.behavior.scaleDown.policies[0].periodSeconds",
				"Invalid value spec.behavior.scaleDown.tolerance",
				"Required value spec.behavior.scaleUp.policies",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hpa := validHPA()
			tt.mutate(hpa)
			registrytest.ExpectErrors(t, Validate(hpa, options(hpa, nil)), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validHPA()
	old.Spec.ScaleTargetRef.APIVersion = "v1" // invalid, stored before the check
	hpa := old.DeepCopy()
	hpa.Spec.MaxReplicas = 20
	registrytest.ExpectErrors(t, ValidateUpdate(hpa, old, options(hpa, old)))
	hpa.Spec.ScaleTargetRef.Kind = "StatefulSet"
	registrytest.ExpectErrors(t, ValidateUpdate(hpa, old, options(hpa, old)), "Invalid value spec.scaleTargetRef.apiVersion")
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	old := validHPA()
	Strategy.PrepareForCreate(ctx, old)
	if old.Generation != 1 || old.Status.CurrentReplicas != 0 {
		t.Fatalf("create: generation %d, status %+v", old.Generation, old.Status)
	}
	hpa := old.DeepCopy()
	hpa.Spec.MaxReplicas = 11
	Strategy.PrepareForUpdate(ctx, hpa, old)
	if hpa.Generation != 2 {
		t.Errorf("generation = %d", hpa.Generation)
	}
	hpa = old.DeepCopy()
	hpa.Spec.MaxReplicas = 11
	hpa.Status.DesiredReplicas = 5
	StatusStrategy.PrepareForUpdate(ctx, hpa, old)
	if hpa.Spec.MaxReplicas != 10 || hpa.Status.DesiredReplicas != 5 {
		t.Errorf("status update: %+v", hpa)
	}
	hpa.Status.CurrentReplicas = -1
	registrytest.ExpectErrors(t, ValidateStatusUpdate(hpa, old), "Invalid value status.currentReplicas")
}

func TestTable(t *testing.T) {
	hpa := validHPA()
	cells, err := table.Row(hpa)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"Deployment/web", "<unknown>/100, cpu: <unknown>/60% + 1 more...", "2", int64(10), int64(3)}
	for i, w := range want {
		if cells[i] != w {
			t.Errorf("cell %d = %v, want %v", i, cells[i], w)
		}
	}
	hpa.Spec.Metrics = hpa.Spec.Metrics[1:2]
	hpa.Status.CurrentMetrics = []autoscalingv2.MetricStatus{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
		Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To[int32](42)},
	}}}
	hpa.Spec.MinReplicas = nil
	cells, _ = table.Row(hpa)
	if cells[1] != "cpu: 42%/60%" || cells[2] != "<unset>" {
		t.Errorf("cells = %v", cells)
	}
	hpa.Spec.Metrics = nil
	if cells, _ = table.Row(hpa); cells[1] != "<none>" {
		t.Errorf("cells = %v", cells)
	}
}
