package mutatingadmissionpolicybinding

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Validate checks a MutatingAdmissionPolicyBinding as upstream does.
func Validate(b *admissionregistrationv1.MutatingAdmissionPolicyBinding) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&b.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	fldPath := field.NewPath("spec")
	errs = append(errs, validation.ValidatePolicyName(b.Spec.PolicyName, fldPath.Child("policyName"))...)
	errs = append(errs, validation.ValidateParamRef(b.Spec.ParamRef, fldPath.Child("paramRef"))...)
	errs = append(errs, validation.ValidateMatchResources(b.Spec.MatchResources, fldPath.Child("matchResources"))...)
	if b.Spec.MatchResources != nil {
		errs = append(errs, validation.ValidateMutatingOperations(b.Spec.MatchResources.ResourceRules, fldPath.Child("matchResources", "resourceRules", "operations"))...)
	}
	return errs
}

// ValidateUpdate checks an updated binding as a new one.
func ValidateUpdate(b, _ *admissionregistrationv1.MutatingAdmissionPolicyBinding) field.ErrorList {
	return Validate(b)
}
