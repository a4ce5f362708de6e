package validation

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/skiff-sh/skiff/apis/registry"
)

// Object is an admissionregistration kind.
type Object interface {
	runtime.Object
	GetName() string
}

// Strategy is what the admissionregistration kinds' strategies share: names ending in
// ".static.k8s.io" are reserved for manifest-based configuration (rejected while that feature
// is on, warned about otherwise), and updates must carry a resourceVersion, as upstream.
type Strategy[T Object] struct {
	registry.Strategy
	validate       func(T) field.ErrorList
	validateUpdate func(obj, old T) field.ErrorList
	// ruleWarnings adds the warnings of a webhook configuration's rules; nil for the others.
	ruleWarnings func(T) []string
}

// NewStrategy returns the strategy of one admissionregistration kind.
func NewStrategy[T Object](validate func(T) field.ErrorList, validateUpdate func(obj, old T) field.ErrorList, ruleWarnings func(T) []string) Strategy[T] {
	return Strategy[T]{
		Strategy:       registry.NewStrategy(false, true, "admissionregistration.k8s.io/v1"),
		validate:       validate,
		validateUpdate: validateUpdate,
		ruleWarnings:   ruleWarnings,
	}
}

// Validate checks the object and its name's suffix.
func (s Strategy[T]) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	o := obj.(T)
	errs := s.validate(o)
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		errs = append(errs, ValidateStaticSuffix(o.GetName())...)
	}
	return errs
}

// ValidateUpdate checks an update.
func (s Strategy[T]) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return s.validateUpdate(obj.(T), old.(T))
}

// WarningsOnCreate warns about a reserved name suffix and questionable rules.
func (s Strategy[T]) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	var warnings []string
	if !utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		warnings = WarningsForStaticSuffix(obj.(T).GetName())
	}
	return append(warnings, s.rules(obj.(T))...)
}

// WarningsOnUpdate warns about a reserved name suffix and questionable rules.
func (s Strategy[T]) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return append(WarningsForStaticSuffix(obj.(T).GetName()), s.rules(obj.(T))...)
}

func (s Strategy[T]) rules(obj T) []string {
	if s.ruleWarnings == nil || !utilfeature.DefaultFeatureGate.Enabled(features.ExcludeAdmissionWebhookVirtualResources) {
		return nil
	}
	return s.ruleWarnings(obj)
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (Strategy[T]) AllowUnconditionalUpdate(context.Context) bool { return false }
