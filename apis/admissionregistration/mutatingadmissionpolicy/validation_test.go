package mutatingadmissionpolicy

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
)

func valid() *admissionregistrationv1.MutatingAdmissionPolicy {
	p := &admissionregistrationv1.MutatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "policy"},
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
					},
				}},
			},
			Mutations: []admissionregistrationv1.Mutation{{
				PatchType:          admissionregistrationv1.PatchTypeApplyConfiguration,
				ApplyConfiguration: &admissionregistrationv1.ApplyConfiguration{Expression: `Object{metadata: Object.metadata{labels: {"mutated": "true"}}}`},
			}},
			ReinvocationPolicy: admissionregistrationv1.NeverReinvocationPolicy,
		},
	}
	defaults.SetObjectDefaults_MutatingAdmissionPolicy(p)
	return p
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*admissionregistrationv1.MutatingAdmissionPolicy)
		field  string
		typ    field.ErrorType
	}{
		{"valid", func(*admissionregistrationv1.MutatingAdmissionPolicy) {}, "", ""},
		{"valid json patch", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.Mutations[0] = admissionregistrationv1.Mutation{
				PatchType: admissionregistrationv1.PatchTypeJSONPatch,
				JSONPatch: &admissionregistrationv1.JSONPatch{Expression: `[JSONPatch{op: "add", path: "/metadata/labels/a", value: "b"}]`},
			}
		}, "", ""},
		{"no mutations", func(p *admissionregistrationv1.MutatingAdmissionPolicy) { p.Spec.Mutations = nil }, "spec.mutations", field.ErrorTypeRequired},
		{"no patch type", func(p *admissionregistrationv1.MutatingAdmissionPolicy) { p.Spec.Mutations[0].PatchType = "" }, "spec.mutations[0].patchType", field.ErrorTypeRequired},
		{"wrong patch body", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.Mutations[0].PatchType = admissionregistrationv1.PatchTypeJSONPatch
		}, "spec.mutations[0].jsonPatch", field.ErrorTypeRequired},
		{"apply configuration does not compile", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.Mutations[0].ApplyConfiguration.Expression = "Object{"
		}, "spec.mutations[0].applyConfiguration.expression", field.ErrorTypeInvalid},
		{"no reinvocation policy", func(p *admissionregistrationv1.MutatingAdmissionPolicy) { p.Spec.ReinvocationPolicy = "" }, "spec.reinvocationPolicy", field.ErrorTypeRequired},
		{"delete", func(p *admissionregistrationv1.MutatingAdmissionPolicy) {
			p.Spec.MatchConstraints.ResourceRules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
		}, "spec.matchConstraints.resourceRules.operations", field.ErrorTypeNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.modify(p)
			errs := Validate(p)
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
