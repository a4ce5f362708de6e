package deployment

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Deployments.
var Strategy = strategy{registry.NewStrategy(true, true, "apps/v1")}

// PrepareForUpdate keeps the stored status and bumps generation on a spec or annotation
// change: annotations are copied to the ReplicaSets, so the controller must see them.
func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	d, o := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	d.Status = o.Status
	if !apiequality.Semantic.DeepEqual(d.Spec, o.Spec) || !apiequality.Semantic.DeepEqual(d.Annotations, o.Annotations) {
		d.Generation = o.Generation + 1
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*appsv1.Deployment))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*appsv1.Deployment), old.(*appsv1.Deployment))
}

// WarningsOnCreate warns about names that are not DNS labels and about the pod template.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	d := obj.(*appsv1.Deployment)
	return append(appsvalidation.DNS1123LabelNameWarning(d.Name), appsvalidation.TemplateWarnings(&d.Spec.Template)...)
}

// WarningsOnUpdate warns about the pod template when the generation changed.
func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	d := obj.(*appsv1.Deployment)
	if d.Generation == old.(*appsv1.Deployment).Generation {
		return nil
	}
	return appsvalidation.TemplateWarnings(&d.Spec.Template)
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps spec and labels.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec and labels, as upstream's status writers get them.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	d, o := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	d.Spec = o.Spec
	d.Labels = o.Labels
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*appsv1.Deployment), old.(*appsv1.Deployment))
}

// GetResetFields: status writes own everything but spec and metadata.labels.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{
		"apps/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"), fieldpath.MakePathOrDie("metadata", "labels")),
	}
}
