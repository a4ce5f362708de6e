package ingressclass

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const maxControllerLen = 250

// Validate checks an IngressClass as upstream does: controller is a domain-prefixed path of at
// most 250 characters, and a parameters reference is complete and scoped consistently.
func Validate(ic *networkingv1.IngressClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&ic.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	specPath := field.NewPath("spec")
	if len(ic.Spec.Controller) > maxControllerLen {
		errs = append(errs, field.TooLong(specPath.Child("controller"), "", maxControllerLen))
	}
	errs = append(errs, validation.IsDomainPrefixedPath(specPath.Child("controller"), ic.Spec.Controller)...)
	return append(errs, validateParameters(ic.Spec.Parameters, specPath.Child("parameters"))...)
}

// ValidateUpdate also holds the controller fixed.
func ValidateUpdate(ic, old *networkingv1.IngressClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ic.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ic.Spec.Controller, old.Spec.Controller, field.NewPath("spec", "controller"))...)
	return append(errs, Validate(ic)...)
}

func validateParameters(params *networkingv1.IngressClassParametersReference, fldPath *field.Path) field.ErrorList {
	if params == nil {
		return nil
	}
	var errs field.ErrorList
	if params.APIGroup != nil {
		for _, msg := range validation.IsDNS1123Subdomain(*params.APIGroup) {
			errs = append(errs, field.Invalid(fldPath.Child("apiGroup"), *params.APIGroup, msg))
		}
	}
	for _, f := range []struct{ name, value string }{{"kind", params.Kind}, {"name", params.Name}} {
		if f.value == "" {
			errs = append(errs, field.Required(fldPath.Child(f.name), ""))
			continue
		}
		for _, msg := range content.IsPathSegmentName(f.value) {
			errs = append(errs, field.Invalid(fldPath.Child(f.name), f.value, msg))
		}
	}
	if params.Scope == nil {
		return append(errs, field.Required(fldPath.Child("scope"), ""))
	}
	switch *params.Scope {
	case networkingv1.IngressClassParametersReferenceScopeNamespace:
		if params.Namespace == nil {
			errs = append(errs, field.Required(fldPath.Child("namespace"), "`parameters.scope` is set to 'Namespace'"))
		} else {
			for _, msg := range apimachineryvalidation.ValidateNamespaceName(*params.Namespace, false) {
				errs = append(errs, field.Invalid(fldPath.Child("namespace"), *params.Namespace, msg))
			}
		}
	case networkingv1.IngressClassParametersReferenceScopeCluster:
		if params.Namespace != nil {
			errs = append(errs, field.Forbidden(fldPath.Child("namespace"), "`parameters.scope` is set to 'Cluster'"))
		}
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("scope"), *params.Scope, []string{
			networkingv1.IngressClassParametersReferenceScopeCluster,
			networkingv1.IngressClassParametersReferenceScopeNamespace,
		}))
	}
	return errs
}
