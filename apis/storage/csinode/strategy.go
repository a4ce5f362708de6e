package csinode

import (
	"context"

	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of CSINodes.
var Strategy = strategy{registry.NewStrategy(false, false, "storage.k8s.io/v1")}

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*storagev1.CSINode))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*storagev1.CSINode), old.(*storagev1.CSINode))
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the csinodes/status subresource.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps all but the status and, as upstream with CSIVolumeHealth off, drops
// storage health the stored object did not already have.
func (s statusStrategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.StatusStrategy.PrepareForUpdate(ctx, obj, old)
	if len(old.(*storagev1.CSINode).Status.StorageHealth) == 0 {
		obj.(*storagev1.CSINode).Status.StorageHealth = nil
	}
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*storagev1.CSINode), old.(*storagev1.CSINode))
}
