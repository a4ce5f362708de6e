package defaults

import (
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

// SetV1Defaults defaults an autoscaling/v1 HPA's minReplicas to 1. (The CPU target default of
// v1 is applied by the conversion to v2, which sees the metrics kept in annotations.)
func SetV1Defaults(obj *autoscalingv1.HorizontalPodAutoscaler) {
	if obj.Spec.MinReplicas == nil {
		obj.Spec.MinReplicas = ptr.To[int32](1)
	}
}

// RegisterV1Defaults registers the autoscaling/v1 defaults in scheme.
func RegisterV1Defaults(scheme *runtime.Scheme) {
	scheme.AddTypeDefaultingFunc(&autoscalingv1.HorizontalPodAutoscaler{}, func(obj any) {
		SetV1Defaults(obj.(*autoscalingv1.HorizontalPodAutoscaler))
	})
	scheme.AddTypeDefaultingFunc(&autoscalingv1.HorizontalPodAutoscalerList{}, func(obj any) {
		for i := range obj.(*autoscalingv1.HorizontalPodAutoscalerList).Items {
			SetV1Defaults(&obj.(*autoscalingv1.HorizontalPodAutoscalerList).Items[i])
		}
	})
}
