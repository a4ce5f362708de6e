package volumeattachment

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

// Strategy is the create, update and delete strategy of VolumeAttachments.
var Strategy = strategy{registry.NewStrategy(false, false, "storage.k8s.io/v1")}

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*storagev1.VolumeAttachment))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*storagev1.VolumeAttachment), old.(*storagev1.VolumeAttachment))
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the volumeattachments/status subresource.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (statusStrategy) AllowUnconditionalUpdate(context.Context) bool { return false }

// ValidateUpdate validates the whole object, status included, as upstream does.
func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*storagev1.VolumeAttachment), old.(*storagev1.VolumeAttachment))
}
