package token

import (
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func TestValidateTokenRequest(t *testing.T) {
	webhook := &authenticationv1.BoundObjectReference{Kind: "ValidatingWebhookConfiguration", APIVersion: "admissionregistration.k8s.io/v1", Name: "w"}
	groups := func(g ...string) map[string]authenticationv1.AttestationValue {
		return map[string]authenticationv1.AttestationValue{"admissionReviewAPIGroups": g}
	}
	tests := []struct {
		name    string
		spec    authenticationv1.TokenRequestSpec
		field   string
		typ     field.ErrorType
		message string
	}{
		{name: "default", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)}},
		{name: "ten minutes", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](600)}},
		{name: "2^32 seconds", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](1 << 32)}},
		{name: "too short", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](599)},
			field: "spec.expirationSeconds", typ: field.ErrorTypeInvalid, message: "may not specify a duration less than 10 minutes"},
		{name: "too long", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](1<<32 + 1)},
			field: "spec.expirationSeconds", typ: field.ErrorTypeInvalid, message: "may not specify a duration larger than 2^32 seconds"},
		{name: "attestations without a webhook", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Attestations: groups("apps")},
			field: "spec.attestations", typ: field.ErrorTypeInvalid, message: "attestations may only be specified with a webhook bound object reference"},
		{name: "webhook", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: groups("apps")}},
		{name: "webhook, every group", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: groups("*")}},
		{name: "webhook with two audiences", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a", "b"}, BoundObjectRef: webhook, Attestations: groups("apps")},
			field: "spec.audiences", typ: field.ErrorTypeInvalid, message: "must be length 1 when bound to a webhook config"},
		{name: "webhook without attestations", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook},
			field: "spec.attestations", typ: field.ErrorTypeInvalid, message: "webhook bound requests require exactly one admissionReviewAPIGroups attestation"},
		{name: "webhook, unknown attestation", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: map[string]authenticationv1.AttestationValue{"x": {"apps"}}},
			field: "spec.attestations[x]", typ: field.ErrorTypeNotSupported},
		{name: "webhook, two groups", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: groups("apps", "batch")},
			field: "spec.attestations[admissionReviewAPIGroups]", typ: field.ErrorTypeInvalid, message: "must specify a single value"},
		{name: "webhook, core group", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: groups("")},
			field: "spec.attestations[admissionReviewAPIGroups][0]", typ: field.ErrorTypeInvalid, message: "may not be an empty string"},
		{name: "webhook, bad group", spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600), Audiences: []string{"a"}, BoundObjectRef: webhook, Attestations: groups("Apps")},
			field: "spec.attestations[admissionReviewAPIGroups][0]", typ: field.ErrorTypeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateTokenRequest(&authenticationv1.TokenRequest{Spec: tt.spec})
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Type != tt.typ || (tt.message != "" && errs[0].Detail != tt.message) {
				t.Fatalf("got %v, want one %s error at %s: %q", errs, tt.typ, tt.field, tt.message)
			}
		})
	}
}
