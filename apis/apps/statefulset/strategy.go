package statefulset

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/core/persistentvolumeclaim"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of StatefulSets.
var Strategy = strategy{registry.NewStrategy(true, true, "apps/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*appsv1.StatefulSet))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*appsv1.StatefulSet), old.(*appsv1.StatefulSet))
}

// WarningsOnCreate warns about the pod template, the claim templates and a negative
// revisionHistoryLimit.
func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	ss := obj.(*appsv1.StatefulSet)
	return append(appsvalidation.TemplateWarnings(&ss.Spec.Template), warnings(ss, "")...)
}

// WarningsOnUpdate warns about the pod template when the generation changed, and always about
// the claim templates and a negative revisionHistoryLimit. Upstream's paths to the claim
// template fields have a "Spec" segment here (none on create).
func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	ss := obj.(*appsv1.StatefulSet)
	var out []string
	if ss.Generation != old.(*appsv1.StatefulSet).Generation {
		out = appsvalidation.TemplateWarnings(&ss.Spec.Template)
	}
	return append(out, warnings(ss, "Spec")...)
}

// warnings covers the claim templates (their spec fields under
// spec.volumeClaimTemplates[i].<specSegment>, or directly under [i] when specSegment is "")
// and the revision history limit.
func warnings(ss *appsv1.StatefulSet, specSegment string) []string {
	var out []string
	for i := range ss.Spec.VolumeClaimTemplates {
		path := field.NewPath("spec", "volumeClaimTemplates").Index(i)
		if specSegment != "" {
			path = path.Child(specSegment)
		}
		out = append(out, persistentvolumeclaim.SpecWarnings(path, &ss.Spec.VolumeClaimTemplates[i].Spec)...)
	}
	if ss.Spec.RevisionHistoryLimit != nil && *ss.Spec.RevisionHistoryLimit < 0 {
		out = append(out, "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended")
	}
	return out
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*appsv1.StatefulSet).Spec = old.(*appsv1.StatefulSet).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*appsv1.StatefulSet), old.(*appsv1.StatefulSet))
}

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"apps/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
