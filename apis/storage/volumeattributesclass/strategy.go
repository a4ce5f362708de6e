package volumeattributesclass

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

// Strategy is the create, update and delete strategy of VolumeAttributesClasses.
var Strategy = strategy{registry.NewStrategy(false, false, "storage.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*storagev1.VolumeAttributesClass))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*storagev1.VolumeAttributesClass), old.(*storagev1.VolumeAttributesClass))
}
