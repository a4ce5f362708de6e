package podtemplate

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/pod"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of PodTemplates; generation counts
// template changes.
var Strategy = strategy{registry.NewStrategy(true, true, "v1")}

func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	pod.DropDisabledFields(&obj.(*corev1.PodTemplate).Template.Spec, nil)
}

func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	pod.DropDisabledFields(&obj.(*corev1.PodTemplate).Template.Spec, &old.(*corev1.PodTemplate).Template.Spec)
	s.Strategy.PrepareForUpdate(ctx, obj, old)
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.PodTemplate))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.PodTemplate), old.(*corev1.PodTemplate))
}

// WarningsOnCreate returns upstream's warnings about the template's pod spec.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return corevalidation.WarningsForPodTemplate(field.NewPath("template"), &obj.(*corev1.PodTemplate).Template)
}

// WarningsOnUpdate returns the same warnings when the template changed.
func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	t := obj.(*corev1.PodTemplate)
	if t.Generation == old.(*corev1.PodTemplate).Generation {
		return nil
	}
	return corevalidation.WarningsForPodTemplate(field.NewPath("template"), &t.Template)
}
