package validatingadmissionpolicy

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
)

func valid() *admissionregistrationv1.ValidatingAdmissionPolicy {
	p := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "policy"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"deployments"}},
					},
				}},
			},
			Variables:        []admissionregistrationv1.Variable{{Name: "replicas", Expression: "object.spec.replicas"}},
			Validations:      []admissionregistrationv1.Validation{{Expression: "variables.replicas <= 5", MessageExpression: "'too many: ' + string(variables.replicas)"}},
			AuditAnnotations: []admissionregistrationv1.AuditAnnotation{{Key: "replicas", ValueExpression: "string(object.spec.replicas)"}},
		},
	}
	defaults.SetObjectDefaults_ValidatingAdmissionPolicy(p)
	return p
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*admissionregistrationv1.ValidatingAdmissionPolicy)
		field  string
		typ    field.ErrorType
	}{
		{"valid", func(*admissionregistrationv1.ValidatingAdmissionPolicy) {}, "", ""},
		{"valid with params", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "v1", Kind: "ConfigMap"}
			p.Spec.Validations[0].Expression = "params.data.max == 'x'"
		}, "", ""},
		{"no failure policy", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.FailurePolicy = nil }, "spec.failurePolicy", field.ErrorTypeRequired},
		{"no match constraints", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.MatchConstraints = nil }, "spec.matchConstraints", field.ErrorTypeRequired},
		{"no resource rules", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.MatchConstraints.ResourceRules = nil
		}, "spec.matchConstraints.resourceRules", field.ErrorTypeRequired},
		{"no match policy", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.MatchConstraints.MatchPolicy = nil }, "spec.matchConstraints.matchPolicy", field.ErrorTypeRequired},
		{"nothing to check", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations, p.Spec.AuditAnnotations = nil, nil
		}, "spec.validations", field.ErrorTypeRequired},
		{"expression does not compile", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].Expression = "object.spec.replicas >"
		}, "spec.validations[0].expression", field.ErrorTypeInvalid},
		{"expression not bool", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].Expression = "1"
		}, "spec.validations[0].expression", field.ErrorTypeInvalid},
		{"params without paramKind", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].Expression = "params != null"
		}, "spec.validations[0].expression", field.ErrorTypeInvalid},
		{"empty expression", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Validations[0].Expression = " " }, "spec.validations[0].expression", field.ErrorTypeRequired},
		{"message with line break", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Validations[0].Message = "a\nb" }, "spec.validations[0].message", field.ErrorTypeInvalid},
		{"message expression", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].MessageExpression = "1 +"
		}, "spec.validations[0].messageExpression", field.ErrorTypeInvalid},
		{"reason", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.Validations[0].Reason = ptr.To(metav1.StatusReasonConflict)
		}, "spec.validations[0].reason", field.ErrorTypeNotSupported},
		{"variable name", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Variables[0].Name = "in" }, "spec.variables[0].name", field.ErrorTypeInvalid},
		{"variable expression", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) { p.Spec.Variables[0].Expression = "object." }, "spec.variables[0].expression", field.ErrorTypeInvalid},
		{"duplicate audit key", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.AuditAnnotations = append(p.Spec.AuditAnnotations, p.Spec.AuditAnnotations[0])
		}, "spec.auditAnnotations[1].key", field.ErrorTypeDuplicate},
		{"audit value not string", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.AuditAnnotations[0].ValueExpression = "1"
		}, "spec.auditAnnotations[0].valueExpression", field.ErrorTypeInvalid},
		{"param kind", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "a/b/c", Kind: "ConfigMap"}
		}, "spec.paramKind.apiVersion", field.ErrorTypeInvalid},
		{"param kind without kind", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.ParamKind = &admissionregistrationv1.ParamKind{APIVersion: "v1"}
		}, "spec.paramKind.kind", field.ErrorTypeRequired},
		{"resource names", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.MatchConstraints.ResourceRules[0].ResourceNames = []string{"a", "a"}
		}, "spec.matchConstraints.resourceRules[0].resourceNames[1]", field.ErrorTypeDuplicate},
		{"match condition", func(p *admissionregistrationv1.ValidatingAdmissionPolicy) {
			p.Spec.MatchConditions = []admissionregistrationv1.MatchCondition{{Name: "x", Expression: "params.x"}}
		}, "spec.matchConditions[0].expression", field.ErrorTypeInvalid},
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

func TestValidateStatusUpdate(t *testing.T) {
	p := valid()
	p.Status.TypeChecking = &admissionregistrationv1.TypeChecking{ExpressionWarnings: []admissionregistrationv1.ExpressionWarning{{FieldRef: "spec.validations[0].expression"}}}
	errs := ValidateStatusUpdate(p, valid())
	if len(errs) != 1 || errs[0].Field != "status.typeChecking.expressionWarnings[0].warning" {
		t.Fatalf("unexpected errors: %v", errs)
	}
}
