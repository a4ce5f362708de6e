package validatingadmissionpolicy

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ValidatingAdmissionPolicies.
var Strategy = strategy{registry.NewStrategy(false, true, "admissionregistration.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	p := obj.(*admissionregistrationv1.ValidatingAdmissionPolicy)
	errs := Validate(p)
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		errs = append(errs, validation.ValidateStaticSuffix(p.Name)...)
	}
	return errs
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*admissionregistrationv1.ValidatingAdmissionPolicy), old.(*admissionregistrationv1.ValidatingAdmissionPolicy))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		return nil
	}
	return validation.WarningsForStaticSuffix(obj.(*admissionregistrationv1.ValidatingAdmissionPolicy).Name)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return validation.WarningsForStaticSuffix(obj.(*admissionregistrationv1.ValidatingAdmissionPolicy).Name)
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*admissionregistrationv1.ValidatingAdmissionPolicy), old.(*admissionregistrationv1.ValidatingAdmissionPolicy))
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (statusStrategy) AllowUnconditionalUpdate(context.Context) bool { return false }
