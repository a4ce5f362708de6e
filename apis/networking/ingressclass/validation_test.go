package ingressclass

import (
	"context"
	"testing"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validClass() *networkingv1.IngressClass {
	return &networkingv1.IngressClass{
		ObjectMeta: metav1.ObjectMeta{Name: "nginx", ResourceVersion: "1"},
		Spec: networkingv1.IngressClassSpec{
			Controller: "example.com/ingress",
			Parameters: &networkingv1.IngressClassParametersReference{
				APIGroup: ptr.To("k8s.example.com"), Kind: "Params", Name: "p",
				Scope: ptr.To(networkingv1.IngressClassParametersReferenceScopeNamespace), Namespace: ptr.To("default"),
			},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*networkingv1.IngressClass)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*networkingv1.IngressClass) {}},
		{name: "controller required", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Controller = "" }, field: "spec.controller", typ: field.ErrorTypeRequired},
		{name: "controller without domain", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Controller = "nginx" }, field: "spec.controller", typ: field.ErrorTypeInvalid},
		{name: "kind required", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Parameters.Kind = "" }, field: "spec.parameters.kind", typ: field.ErrorTypeRequired},
		{name: "bad name", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Parameters.Name = "a/b" }, field: "spec.parameters.name", typ: field.ErrorTypeInvalid},
		{name: "scope required", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Parameters.Scope = nil }, field: "spec.parameters.scope", typ: field.ErrorTypeRequired},
		{name: "bad scope", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Parameters.Scope = ptr.To("World") }, field: "spec.parameters.scope", typ: field.ErrorTypeNotSupported},
		{name: "namespace required", mutate: func(ic *networkingv1.IngressClass) { ic.Spec.Parameters.Namespace = nil }, field: "spec.parameters.namespace", typ: field.ErrorTypeRequired},
		{name: "namespace with cluster scope", mutate: func(ic *networkingv1.IngressClass) {
			ic.Spec.Parameters.Scope = ptr.To(networkingv1.IngressClassParametersReferenceScopeCluster)
		}, field: "spec.parameters.namespace", typ: field.ErrorTypeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ic := validClass()
			tc.mutate(ic)
			expectOne(t, Validate(ic), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validClass()
	ic := old.DeepCopy()
	ic.Spec.Parameters.Name = "other"
	expectOne(t, ValidateUpdate(ic, old), "", "")
	ic.Spec.Controller = "example.com/other"
	expectOne(t, ValidateUpdate(ic, old), "spec.controller", field.ErrorTypeInvalid)
}

func TestTable(t *testing.T) {
	def := validClass()
	def.Annotations = map[string]string{networkingv1.AnnotationIsDefaultIngressClass: "true"}
	plain := validClass()
	plain.Name, plain.Spec.Parameters = "plain", nil
	tbl, err := Table.ConvertToTable(context.Background(), &networkingv1.IngressClassList{Items: []networkingv1.IngressClass{*def, *plain}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := tbl.Rows[0].Cells[:3]; got[0] != "nginx (default)" || got[1] != "example.com/ingress" || got[2] != "Params.k8s.example.com/p" {
		t.Errorf("default row = %v", got)
	}
	if got := tbl.Rows[1].Cells[:3]; got[0] != "plain" || got[2] != "<none>" {
		t.Errorf("plain row = %v", got)
	}
}

func expectOne(t *testing.T, errs field.ErrorList, want string, typ field.ErrorType) {
	t.Helper()
	if want == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == want && e.Type == typ {
			return
		}
	}
	t.Fatalf("want %s error at %s, got %v", typ, want, errs)
}
