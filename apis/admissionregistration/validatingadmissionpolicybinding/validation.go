package validatingadmissionpolicybinding

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Validate checks a ValidatingAdmissionPolicyBinding as upstream does.
func Validate(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&b.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	fldPath := field.NewPath("spec")
	errs = append(errs, validation.ValidatePolicyName(b.Spec.PolicyName, fldPath.Child("policyName"))...)
	errs = append(errs, validation.ValidateParamRef(b.Spec.ParamRef, fldPath.Child("paramRef"))...)
	errs = append(errs, validation.ValidateMatchResources(b.Spec.MatchResources, fldPath.Child("matchResources"))...)
	return append(errs, validateActions(b.Spec.ValidationActions, fldPath.Child("validationActions"))...)
}

// ValidateUpdate checks an updated binding as a new one.
func ValidateUpdate(b, _ *admissionregistrationv1.ValidatingAdmissionPolicyBinding) field.ErrorList {
	return Validate(b)
}

var actions = sets.New(string(admissionregistrationv1.Deny), string(admissionregistrationv1.Warn), string(admissionregistrationv1.Audit))

func validateActions(va []admissionregistrationv1.ValidationAction, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, a := range va {
		if !actions.Has(string(a)) {
			errs = append(errs, field.NotSupported(fldPath.Index(i), a, sets.List(actions)))
		}
		if seen.Has(string(a)) {
			errs = append(errs, field.Duplicate(fldPath.Index(i), a))
		}
		seen.Insert(string(a))
	}
	if seen.Has(string(admissionregistrationv1.Deny)) && seen.Has(string(admissionregistrationv1.Warn)) {
		errs = append(errs, field.Invalid(fldPath, va, "must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)"))
	}
	if len(seen) == 0 {
		errs = append(errs, field.Required(fldPath, "at least one validation action is required"))
	}
	return errs
}
