package mutatingadmissionpolicybinding

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
)

func TestValidate(t *testing.T) {
	b := &admissionregistrationv1.MutatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "binding"},
		Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{
			PolicyName: "policy",
			MatchResources: &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
				RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
				},
			}}},
		},
	}
	defaults.SetObjectDefaults_MutatingAdmissionPolicyBinding(b)
	if errs := Validate(b); len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	b.Spec.PolicyName = "Bad"
	b.Spec.MatchResources.ResourceRules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
	errs := Validate(b)
	want := map[string]field.ErrorType{
		"spec.policyName": field.ErrorTypeInvalid,
		"spec.matchResources.resourceRules.operations": field.ErrorTypeNotSupported,
	}
	if len(errs) != len(want) {
		t.Fatalf("unexpected errors: %v", errs)
	}
	for _, e := range errs {
		if want[e.Field] != e.Type {
			t.Errorf("unexpected error %v", e)
		}
	}
}
