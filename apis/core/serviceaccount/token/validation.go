package token

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	// MinExpirationSeconds is the shortest validity a TokenRequest may ask for.
	MinExpirationSeconds = 10 * 60
	// MaxExpirationSeconds is the longest: 2^32 seconds.
	MaxExpirationSeconds = 1 << 32
	// DefaultExpirationSeconds is the validity of a TokenRequest that asks for none.
	DefaultExpirationSeconds = 60 * 60
)

// ValidateTokenRequest checks a defaulted TokenRequest's spec with upstream's rules and messages.
func ValidateTokenRequest(tr *authenticationv1.TokenRequest) field.ErrorList {
	var errs field.ErrorList
	specPath := field.NewPath("spec")
	var seconds int64
	if tr.Spec.ExpirationSeconds != nil {
		seconds = *tr.Spec.ExpirationSeconds
	}
	if seconds < MinExpirationSeconds {
		errs = append(errs, field.Invalid(specPath.Child("expirationSeconds"), seconds, "may not specify a duration less than 10 minutes"))
	}
	if seconds > MaxExpirationSeconds {
		errs = append(errs, field.Invalid(specPath.Child("expirationSeconds"), seconds, "may not specify a duration larger than 2^32 seconds"))
	}
	if isWebhookRef(tr.Spec.BoundObjectRef) {
		if len(tr.Spec.Audiences) != 1 {
			errs = append(errs, field.Invalid(specPath.Child("audiences"), tr.Spec.Audiences, "must be length 1 when bound to a webhook config"))
		}
		return append(errs, validateWebhookAttestations(tr.Spec.Attestations, specPath.Child("attestations"))...)
	}
	if len(tr.Spec.Attestations) != 0 {
		return field.ErrorList{field.Invalid(specPath.Child("attestations"), tr.Spec.Attestations, "attestations may only be specified with a webhook bound object reference")}
	}
	return errs
}

func validateWebhookAttestations(attestations map[string]authenticationv1.AttestationValue, fldPath *field.Path) field.ErrorList {
	if len(attestations) != 1 {
		return field.ErrorList{field.Invalid(fldPath, attestations, "webhook bound requests require exactly one admissionReviewAPIGroups attestation")}
	}
	var errs field.ErrorList
	for key, values := range attestations {
		path := fldPath.Key(key)
		if key != authenticationv1.AttestationAdmissionReviewAPIGroups {
			errs = append(errs, field.NotSupported(path, key, []string{authenticationv1.AttestationAdmissionReviewAPIGroups}))
			continue
		}
		if len(values) != 1 {
			errs = append(errs, field.Invalid(path, values, "must specify a single value"))
			continue
		}
		errs = append(errs, validateAPIGroup(values[0], path.Index(0))...)
	}
	return errs
}

// validateAPIGroup allows "*" (the apiserver's own webhook calls) and DNS subdomains; never ""
// (which would mean all resource names to an authorizer).
func validateAPIGroup(group string, fldPath *field.Path) field.ErrorList {
	if group == "" {
		return field.ErrorList{field.Invalid(fldPath, group, "may not be an empty string")}
	}
	if group == "*" {
		return nil
	}
	var errs field.ErrorList
	for _, reason := range validation.IsDNS1123Subdomain(group) {
		errs = append(errs, field.Invalid(fldPath, group, "must specify a valid API Group: "+reason))
	}
	return errs
}

func isWebhookRef(ref *authenticationv1.BoundObjectReference) bool {
	if ref == nil || ref.APIVersion != admissionregistrationv1.SchemeGroupVersion.String() {
		return false
	}
	return ref.Kind == "ValidatingWebhookConfiguration" || ref.Kind == "MutatingWebhookConfiguration"
}
