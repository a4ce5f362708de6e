package horizontalpodautoscaler

import (
	"encoding/json"
	"testing"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func quantityPtr(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}

func fullV2() *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", Annotations: map[string]string{"keep": "me"}},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
			MinReplicas:    ptr.To[int32](2),
			MaxReplicas:    10,
			Metrics: []autoscalingv2.MetricSpec{
				{Type: autoscalingv2.PodsMetricSourceType, Pods: &autoscalingv2.PodsMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "qps"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.AverageValueMetricType, AverageValue: quantityPtr("100")},
				}},
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceCPU, Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](60)},
				}},
				{Type: autoscalingv2.ExternalMetricSourceType, External: &autoscalingv2.ExternalMetricSource{
					Metric: autoscalingv2.MetricIdentifier{Name: "queue"},
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.ValueMetricType, Value: quantityPtr("30")},
				}},
			},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleDown: &autoscalingv2.HPAScalingRules{
				StabilizationWindowSeconds: ptr.To[int32](30),
				SelectPolicy:               ptr.To(autoscalingv2.MinChangePolicySelect),
				Policies:                   []autoscalingv2.HPAScalingPolicy{{Type: autoscalingv2.PodsScalingPolicy, Value: 1, PeriodSeconds: 60}},
			}},
		},
		Status: autoscalingv2.HorizontalPodAutoscalerStatus{
			CurrentReplicas: 3, DesiredReplicas: 4,
			CurrentMetrics: []autoscalingv2.MetricStatus{
				{Type: autoscalingv2.ResourceMetricSourceType, Resource: &autoscalingv2.ResourceMetricStatus{
					Name: corev1.ResourceCPU, Current: autoscalingv2.MetricValueStatus{AverageUtilization: ptr.To[int32](55), AverageValue: quantityPtr("200m")},
				}},
			},
			Conditions: []autoscalingv2.HorizontalPodAutoscalerCondition{{Type: autoscalingv2.AbleToScale, Status: corev1.ConditionTrue, Reason: "Ready"}},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	in := fullV2()
	v1 := &autoscalingv1.HorizontalPodAutoscaler{}
	if err := ConvertV2ToV1(in, v1); err != nil {
		t.Fatal(err)
	}
	if !ptr.Equal(v1.Spec.TargetCPUUtilizationPercentage, ptr.To[int32](60)) || !ptr.Equal(v1.Status.CurrentCPUUtilizationPercentage, ptr.To[int32](55)) {
		t.Errorf("v1 = %+v", v1)
	}
	for _, key := range []string{metricSpecsAnnotation, metricStatusesAnnotation, behaviorAnnotation, conditionsAnnotation, "keep"} {
		if _, ok := v1.Annotations[key]; !ok {
			t.Errorf("annotation %s missing: %v", key, v1.Annotations)
		}
	}
	// The behavior annotation uses the field names of upstream's internal type.
	var raw map[string]map[string]any
	if err := json.Unmarshal([]byte(v1.Annotations[behaviorAnnotation]), &raw); err != nil || raw["ScaleDown"]["SelectPolicy"] != "Min" {
		t.Errorf("behavior annotation %s (%v)", v1.Annotations[behaviorAnnotation], err)
	}

	back := &autoscalingv2.HorizontalPodAutoscaler{}
	if err := ConvertV1ToV2(v1, back); err != nil {
		t.Fatal(err)
	}
	// The CPU target comes back after the other metrics.
	want := fullV2()
	want.Spec.Metrics = []autoscalingv2.MetricSpec{want.Spec.Metrics[0], want.Spec.Metrics[2], want.Spec.Metrics[1]}
	if !equality.Semantic.DeepEqual(back, want) {
		t.Errorf("round trip:\n got  %+v\n want %+v", back, want)
	}
}

func TestV1ToV2(t *testing.T) {
	tests := []struct {
		name string
		in   autoscalingv1.HorizontalPodAutoscalerSpec
		want []autoscalingv2.MetricSpec
	}{
		{name: "no target means 80% CPU", want: []autoscalingv2.MetricSpec{cpuUtilization(80)}},
		{name: "CPU target", in: autoscalingv1.HorizontalPodAutoscalerSpec{TargetCPUUtilizationPercentage: ptr.To[int32](50)}, want: []autoscalingv2.MetricSpec{cpuUtilization(50)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &autoscalingv2.HorizontalPodAutoscaler{}
			if err := ConvertV1ToV2(&autoscalingv1.HorizontalPodAutoscaler{Spec: tt.in}, out); err != nil {
				t.Fatal(err)
			}
			if !equality.Semantic.DeepEqual(out.Spec.Metrics, tt.want) || out.Annotations != nil {
				t.Errorf("metrics = %+v, annotations %v", out.Spec.Metrics, out.Annotations)
			}
		})
	}
}

func TestSchemeConversion(t *testing.T) {
	s := runtime.NewScheme()
	if err := autoscalingv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := autoscalingv2.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := RegisterConversions(s); err != nil {
		t.Fatal(err)
	}
	list := &autoscalingv2.HorizontalPodAutoscalerList{Items: []autoscalingv2.HorizontalPodAutoscaler{*fullV2()}}
	out, err := s.ConvertToVersion(list, autoscalingv1.SchemeGroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	v1 := out.(*autoscalingv1.HorizontalPodAutoscalerList)
	if len(v1.Items) != 1 || *v1.Items[0].Spec.TargetCPUUtilizationPercentage != 60 || v1.APIVersion != "autoscaling/v1" {
		t.Errorf("list = %+v", v1)
	}
}
