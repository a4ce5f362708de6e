package limitrange

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of LimitRanges.
var Strategy = strategy{registry.NewStrategy(true, false, "v1")}

// PrepareForCreate names a nameless LimitRange with a UUID, as upstream does.
func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if lr := obj.(*corev1.LimitRange); len(lr.Name) == 0 {
		lr.Name = string(uuid.NewUUID())
	}
}

// AllowCreateOnUpdate is true: limit ranges can be created with PUT.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return true }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.LimitRange))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.LimitRange), old.(*corev1.LimitRange))
}
