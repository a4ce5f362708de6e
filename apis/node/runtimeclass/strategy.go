package runtimeclass

import (
	"context"

	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of RuntimeClasses.
var Strategy = strategy{registry.NewStrategy(false, false, "node.k8s.io/v1")}

// AllowCreateOnUpdate is true: as upstream, PUT creates a missing RuntimeClass.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return true }

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*nodev1.RuntimeClass))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*nodev1.RuntimeClass), old.(*nodev1.RuntimeClass))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return warnings(obj.(*nodev1.RuntimeClass))
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return warnings(obj.(*nodev1.RuntimeClass))
}
