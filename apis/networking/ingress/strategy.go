package ingress

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Ingresses.
var Strategy = strategy{registry.NewStrategy(true, true, "networking.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*networkingv1.Ingress))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*networkingv1.Ingress), old.(*networkingv1.Ingress))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return warningsOnCreate(obj.(*networkingv1.Ingress))
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the ingresses/status subresource.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec; as upstream, metadata is taken from the request.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*networkingv1.Ingress).Spec = old.(*networkingv1.Ingress).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*networkingv1.Ingress), old.(*networkingv1.Ingress))
}

func (statusStrategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return statusWarnings(obj.(*networkingv1.Ingress))
}
