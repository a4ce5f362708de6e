package horizontalpodautoscaler

import (
	"context"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of HPAs, for both served versions.
// Generation is tracked (HPAGeneration is on by default).
var Strategy = strategy{registry.NewStrategy(true, true, "autoscaling/v1", "autoscaling/v2")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	hpa := obj.(*autoscalingv2.HorizontalPodAutoscaler)
	return Validate(hpa, options(hpa, nil))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	hpa, oldHPA := obj.(*autoscalingv2.HorizontalPodAutoscaler), old.(*autoscalingv2.HorizontalPodAutoscaler)
	return ValidateUpdate(hpa, oldHPA, options(hpa, oldHPA))
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*autoscalingv2.HorizontalPodAutoscaler).Spec = old.(*autoscalingv2.HorizontalPodAutoscaler).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*autoscalingv2.HorizontalPodAutoscaler), old.(*autoscalingv2.HorizontalPodAutoscaler))
}

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	spec := fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))
	return map[fieldpath.APIVersion]*fieldpath.Set{"autoscaling/v1": spec, "autoscaling/v2": spec}
}
