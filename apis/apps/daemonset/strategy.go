package daemonset

import (
	"context"
	"strconv"

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

// Strategy is the create, update and delete strategy of DaemonSets.
var Strategy = strategy{registry.NewStrategy(true, true, "apps/v1")}

// PrepareForCreate also starts the template generation, which apps/v1 shows in the
// deprecated.daemonset.template.generation annotation, at 1 (or keeps a larger one given).
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	ds := obj.(*appsv1.DaemonSet)
	setTemplateGeneration(ds, max(templateGeneration(ds), 1))
}

// PrepareForUpdate keeps the stored status and template generation; a template change bumps
// the template generation, any spec change the generation.
func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	ds, o := obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet)
	ds.Status = o.Status
	generation := templateGeneration(o)
	switch {
	case !apiequality.Semantic.DeepEqual(ds.Spec.Template, o.Spec.Template):
		generation++
		ds.Generation = o.Generation + 1
	case !apiequality.Semantic.DeepEqual(ds.Spec, o.Spec):
		ds.Generation = o.Generation + 1
	}
	setTemplateGeneration(ds, generation)
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*appsv1.DaemonSet))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet))
}

// WarningsOnCreate warns about the pod template.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return appsvalidation.TemplateWarnings(&obj.(*appsv1.DaemonSet).Spec.Template)
}

// WarningsOnUpdate warns about the pod template when the template generation changed.
func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	ds := obj.(*appsv1.DaemonSet)
	if templateGeneration(ds) == templateGeneration(old.(*appsv1.DaemonSet)) {
		return nil
	}
	return appsvalidation.TemplateWarnings(&ds.Spec.Template)
}

// templateGeneration reads the template generation from its annotation, 0 when unset or
// unreadable.
func templateGeneration(ds *appsv1.DaemonSet) int64 {
	g, err := strconv.ParseInt(ds.Annotations[appsv1.DeprecatedTemplateGeneration], 10, 64)
	if err != nil {
		return 0
	}
	return g
}

func setTemplateGeneration(ds *appsv1.DaemonSet, generation int64) {
	annotations := make(map[string]string, len(ds.Annotations)+1)
	for k, v := range ds.Annotations {
		annotations[k] = v
	}
	annotations[appsv1.DeprecatedTemplateGeneration] = strconv.FormatInt(generation, 10)
	ds.Annotations = annotations
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec (and template generation).
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	ds, o := obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet)
	ds.Spec = o.Spec
	setTemplateGeneration(ds, templateGeneration(o))
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*appsv1.DaemonSet), old.(*appsv1.DaemonSet))
}

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"apps/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
