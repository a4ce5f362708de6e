package mutatingadmissionpolicybinding

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

// Strategy is the create, update and delete strategy of MutatingAdmissionPolicyBindings.
var Strategy = strategy{registry.NewStrategy(false, true, "admissionregistration.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	b := obj.(*admissionregistrationv1.MutatingAdmissionPolicyBinding)
	errs := Validate(b)
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		errs = append(errs, validation.ValidateStaticSuffix(b.Name)...)
	}
	return errs
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*admissionregistrationv1.MutatingAdmissionPolicyBinding), old.(*admissionregistrationv1.MutatingAdmissionPolicyBinding))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		return nil
	}
	return validation.WarningsForStaticSuffix(obj.(*admissionregistrationv1.MutatingAdmissionPolicyBinding).Name)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return validation.WarningsForStaticSuffix(obj.(*admissionregistrationv1.MutatingAdmissionPolicyBinding).Name)
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }
