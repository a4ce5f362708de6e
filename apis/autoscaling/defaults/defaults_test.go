package defaults

import (
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func newScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{autoscalingv2.AddToScheme, autoscalingv1.AddToScheme, RegisterDefaults} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	RegisterV1Defaults(s)
	return s
}

func TestV2Defaults(t *testing.T) {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{}
	newScheme(t).Default(hpa)
	want := autoscalingv2.HorizontalPodAutoscalerSpec{
		MinReplicas: ptr.To[int32](1),
		Metrics: []autoscalingv2.MetricSpec{{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
			Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](80)},
		}}},
	}
	if !equality.Semantic.DeepEqual(hpa.Spec, want) {
		t.Errorf("spec = %+v", hpa.Spec)
	}
}

func TestBehaviorDefaults(t *testing.T) {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
		Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](60)}},
	}}
	newScheme(t).Default(hpa)
	b := hpa.Spec.Behavior
	if !equality.Semantic.DeepEqual(b.ScaleUp, ScaleUpRules()) {
		t.Errorf("scaleUp = %+v", b.ScaleUp)
	}
	wantDown := ScaleDownRules()
	wantDown.StabilizationWindowSeconds = ptr.To[int32](60)
	if !equality.Semantic.DeepEqual(b.ScaleDown, wantDown) {
		t.Errorf("scaleDown = %+v", b.ScaleDown)
	}
	if *b.ScaleUp.StabilizationWindowSeconds != 0 || len(b.ScaleUp.Policies) != 2 || b.ScaleDown.Policies[0].Value != 100 {
		t.Errorf("behavior = %+v", b)
	}
}

func TestV1Defaults(t *testing.T) {
	hpa := &autoscalingv1.HorizontalPodAutoscaler{}
	newScheme(t).Default(hpa)
	if !ptr.Equal(hpa.Spec.MinReplicas, ptr.To[int32](1)) || hpa.Spec.TargetCPUUtilizationPercentage != nil {
		t.Errorf("spec = %+v", hpa.Spec)
	}
}
