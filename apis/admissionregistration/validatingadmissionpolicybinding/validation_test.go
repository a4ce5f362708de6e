package validatingadmissionpolicybinding

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

func valid() *admissionregistrationv1.ValidatingAdmissionPolicyBinding {
	return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "binding"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        "policy",
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
			ParamRef:          &admissionregistrationv1.ParamRef{Name: "params", ParameterNotFoundAction: ptr.To(admissionregistrationv1.DenyAction)},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*admissionregistrationv1.ValidatingAdmissionPolicyBinding)
		field  string
		typ    field.ErrorType
	}{
		{"valid", func(*admissionregistrationv1.ValidatingAdmissionPolicyBinding) {}, "", ""},
		{"no policy", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) { b.Spec.PolicyName = "" }, "spec.policyName", field.ErrorTypeRequired},
		{"no actions", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) { b.Spec.ValidationActions = nil }, "spec.validationActions", field.ErrorTypeRequired},
		{"deny and warn", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ValidationActions = []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny, admissionregistrationv1.Warn}
		}, "spec.validationActions", field.ErrorTypeInvalid},
		{"unknown action", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ValidationActions = []admissionregistrationv1.ValidationAction{"Block"}
		}, "spec.validationActions[0]", field.ErrorTypeNotSupported},
		{"name and selector", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ParamRef.Selector = &metav1.LabelSelector{}
		}, "spec.paramRef.name", field.ErrorTypeForbidden},
		{"no param not found action", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.ParamRef.ParameterNotFoundAction = nil
		}, "spec.paramRef.parameterNotFoundAction", field.ErrorTypeRequired},
		{"match resources without defaults", func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) {
			b.Spec.MatchResources = &admissionregistrationv1.MatchResources{}
		}, "spec.matchResources.namespaceSelector", field.ErrorTypeRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := valid()
			tc.modify(b)
			errs := Validate(b)
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Field == tc.field && e.Type == tc.typ {
					return
				}
			}
			t.Fatalf("want %s at %s, got %v", tc.typ, tc.field, errs)
		})
	}
}

func TestParamRefString(t *testing.T) {
	for want, pr := range map[string]*admissionregistrationv1.ParamRef{
		"<unset>": nil,
		"ns/p":    {Name: "p", Namespace: "ns"},
		"*/p":     {Name: "p"},
	} {
		if got := validation.ParamRefString(pr); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
