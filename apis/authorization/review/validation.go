package review

import (
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

const exactlyOne = `exactly one of nonResourceAttributes or resourceAttributes must be specified`

// ValidateSubjectAccessReview checks a SubjectAccessReview: exactly one kind of attributes,
// a user or group to check, and no metadata.
func ValidateSubjectAccessReview(r *authorizationv1.SubjectAccessReview) field.ErrorList {
	errs := validateSpec(r.Spec, field.NewPath("spec"))
	return append(errs, validateEmptyMeta(r.ObjectMeta, false)...)
}

// ValidateSelfSubjectAccessReview checks a SelfSubjectAccessReview: exactly one kind of
// attributes and no metadata.
func ValidateSelfSubjectAccessReview(r *authorizationv1.SelfSubjectAccessReview) field.ErrorList {
	errs := validateAttributes(r.Spec.ResourceAttributes, r.Spec.NonResourceAttributes, field.NewPath("spec"))
	return append(errs, validateEmptyMeta(r.ObjectMeta, false)...)
}

// ValidateLocalSubjectAccessReview checks a LocalSubjectAccessReview: a SubjectAccessReview
// with resource attributes in its own namespace.
func ValidateLocalSubjectAccessReview(r *authorizationv1.LocalSubjectAccessReview) field.ErrorList {
	errs := validateSpec(r.Spec, field.NewPath("spec"))
	errs = append(errs, validateEmptyMeta(r.ObjectMeta, true)...)
	if ra := r.Spec.ResourceAttributes; ra != nil && ra.Namespace != r.Namespace {
		errs = append(errs, field.Invalid(field.NewPath("spec.resourceAttributes.namespace"), ra.Namespace, `must match metadata.namespace`))
	}
	if r.Spec.NonResourceAttributes != nil {
		errs = append(errs, field.Invalid(field.NewPath("spec.nonResourceAttributes"), corevalidation.InternalJSON(r.Spec.NonResourceAttributes), `disallowed on this kind of request`))
	}
	return errs
}

func validateSpec(spec authorizationv1.SubjectAccessReviewSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if (spec.ResourceAttributes == nil) == (spec.NonResourceAttributes == nil) {
		errs = append(errs, field.Invalid(fldPath, corevalidation.InternalJSON(spec.NonResourceAttributes), exactlyOne))
	}
	if spec.User == "" && len(spec.Groups) == 0 {
		errs = append(errs, field.Invalid(fldPath.Child("user"), spec.User, `at least one of user or group must be specified`))
	}
	return append(errs, validateResourceAttributes(spec.ResourceAttributes)...)
}

func validateAttributes(ra *authorizationv1.ResourceAttributes, nra *authorizationv1.NonResourceAttributes, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if (ra == nil) == (nra == nil) {
		errs = append(errs, field.Invalid(fldPath, corevalidation.InternalJSON(nra), exactlyOne))
	}
	return append(errs, validateResourceAttributes(ra)...)
}

// validateEmptyMeta requires metadata to be empty (but for managedFields, and the namespace
// of local reviews).
func validateEmptyMeta(meta metav1.ObjectMeta, namespaced bool) field.ErrorList {
	rest := meta
	rest.ManagedFields = nil
	msg := `must be empty`
	if namespaced {
		rest.Namespace = ""
		msg = `must be empty except for namespace`
	}
	if !apiequality.Semantic.DeepEqual(metav1.ObjectMeta{}, rest) {
		return field.ErrorList{field.Invalid(field.NewPath("metadata"), meta, msg)}
	}
	return nil
}

func validateResourceAttributes(ra *authorizationv1.ResourceAttributes) field.ErrorList {
	if ra == nil {
		return nil
	}
	fldPath := field.NewPath("spec.resourceAttributes")
	var errs field.ErrorList
	if fs := ra.FieldSelector; fs != nil {
		p := fldPath.Child("fieldSelector")
		errs = append(errs, validateSelectorForm(fs.RawSelector, len(fs.Requirements), p)...)
		// Unknown operators pass, for clients newer than the server.
		opts := metav1validation.FieldSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
		for i, r := range fs.Requirements {
			errs = append(errs, metav1validation.ValidateFieldSelectorRequirement(r, opts, p.Child("requirements").Index(i))...)
		}
	}
	if ls := ra.LabelSelector; ls != nil {
		p := fldPath.Child("labelSelector")
		errs = append(errs, validateSelectorForm(ls.RawSelector, len(ls.Requirements), p)...)
		opts := metav1validation.LabelSelectorValidationOptions{AllowUnknownOperatorInRequirement: true}
		for i, r := range ls.Requirements {
			errs = append(errs, metav1validation.ValidateLabelSelectorRequirement(r, opts, p.Child("requirements").Index(i))...)
		}
	}
	return errs
}

// validateSelectorForm requires exactly one of a raw selector and requirements.
func validateSelectorForm(raw string, requirements int, fldPath *field.Path) field.ErrorList {
	switch {
	case raw != "" && requirements > 0:
		return field.ErrorList{field.Invalid(fldPath.Child("rawSelector"), raw, "may not specified at the same time as requirements")}
	case raw == "" && requirements == 0:
		return field.ErrorList{field.Required(fldPath.Child("requirements"), fmt.Sprintf("when %s is specified, requirements or rawSelector is required", fldPath))}
	}
	return nil
}
