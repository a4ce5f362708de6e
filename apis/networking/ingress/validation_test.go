package ingress

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validIngress() *networkingv1.Ingress {
	return &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "ing", Namespace: "default", ResourceVersion: "1"},
		Spec: networkingv1.IngressSpec{
			IngressClassName: ptr.To("nginx"),
			DefaultBackend: &networkingv1.IngressBackend{Resource: &corev1.TypedLocalObjectReference{
				APIGroup: ptr.To("example.com"), Kind: "Bucket", Name: "static",
			}},
			Rules: []networkingv1.IngressRule{{
				Host: "*.example.com",
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path: "/api", PathType: ptr.To(networkingv1.PathTypePrefix),
					Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "api", Port: networkingv1.ServiceBackendPort{Number: 80}}},
				}, {
					PathType: ptr.To(networkingv1.PathTypeImplementationSpecific),
					Backend:  networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: "1web", Port: networkingv1.ServiceBackendPort{Name: "http"}}},
				}}}},
			}},
			TLS: []networkingv1.IngressTLS{{Hosts: []string{"*.example.com", "foo.example.com"}, SecretName: "tls"}},
		},
	}
}

func TestValidate(t *testing.T) {
	paths := func(ing *networkingv1.Ingress) *networkingv1.HTTPIngressPath {
		return &ing.Spec.Rules[0].HTTP.Paths[0]
	}
	tests := []struct {
		name   string
		mutate func(*networkingv1.Ingress)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*networkingv1.Ingress) {}},
		{name: "no rules or backend", mutate: func(ing *networkingv1.Ingress) {
			ing.Spec.Rules, ing.Spec.DefaultBackend = nil, nil
		}, field: "spec", typ: field.ErrorTypeInvalid},
		{name: "ip host", mutate: func(ing *networkingv1.Ingress) { ing.Spec.Rules[0].Host = "1.2.3.4" }, field: "spec.rules[0].host", typ: field.ErrorTypeInvalid},
		{name: "bad wildcard host", mutate: func(ing *networkingv1.Ingress) { ing.Spec.Rules[0].Host = "foo.*.com" }, field: "spec.rules[0].host", typ: field.ErrorTypeInvalid},
		{name: "no paths", mutate: func(ing *networkingv1.Ingress) { ing.Spec.Rules[0].HTTP.Paths = nil }, field: "spec.rules[0].http.paths", typ: field.ErrorTypeRequired},
		{name: "pathType required", mutate: func(ing *networkingv1.Ingress) { paths(ing).PathType = nil }, field: "spec.rules[0].http.paths[0].pathType", typ: field.ErrorTypeRequired},
		{name: "pathType unsupported", mutate: func(ing *networkingv1.Ingress) {
			paths(ing).PathType = ptr.To(networkingv1.PathType("Regex"))
		}, field: "spec.rules[0].http.paths[0].pathType", typ: field.ErrorTypeNotSupported},
		{name: "relative path", mutate: func(ing *networkingv1.Ingress) { paths(ing).Path = "api" }, field: "spec.rules[0].http.paths[0].path", typ: field.ErrorTypeInvalid},
		{name: "path with //", mutate: func(ing *networkingv1.Ingress) { paths(ing).Path = "/a//b" }, field: "spec.rules[0].http.paths[0].path", typ: field.ErrorTypeInvalid},
		{name: "path ending /..", mutate: func(ing *networkingv1.Ingress) { paths(ing).Path = "/a/.." }, field: "spec.rules[0].http.paths[0].path", typ: field.ErrorTypeInvalid},
		{name: "relative implementation-specific path", mutate: func(ing *networkingv1.Ingress) {
			ing.Spec.Rules[0].HTTP.Paths[1].Path = "x"
		}, field: "spec.rules[0].http.paths[1].path", typ: field.ErrorTypeInvalid},
		{name: "both backends", mutate: func(ing *networkingv1.Ingress) {
			paths(ing).Backend.Resource = ing.Spec.DefaultBackend.Resource
		}, field: "spec.rules[0].http.paths[0].backend", typ: field.ErrorTypeInvalid},
		{name: "no backend", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend = networkingv1.IngressBackend{} }, field: "spec.rules[0].http.paths[0].backend", typ: field.ErrorTypeInvalid},
		{name: "service name required", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend.Service.Name = "" }, field: "spec.rules[0].http.paths[0].backend.service.name", typ: field.ErrorTypeRequired},
		{name: "bad service name", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend.Service.Name = "a.b" }, field: "spec.rules[0].http.paths[0].backend.service.name", typ: field.ErrorTypeInvalid},
		{name: "port name and number", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend.Service.Port.Name = "http" }, field: "spec.rules[0].http.paths[0].backend", typ: field.ErrorTypeInvalid},
		{name: "no port", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend.Service.Port.Number = 0 }, field: "spec.rules[0].http.paths[0].backend", typ: field.ErrorTypeRequired},
		{name: "bad port number", mutate: func(ing *networkingv1.Ingress) { paths(ing).Backend.Service.Port.Number = 70000 }, field: "spec.rules[0].http.paths[0].backend.service.port.number", typ: field.ErrorTypeInvalid},
		{name: "resource kind required", mutate: func(ing *networkingv1.Ingress) { ing.Spec.DefaultBackend.Resource.Kind = "" }, field: "spec.defaultBackend.resource.kind", typ: field.ErrorTypeRequired},
		{name: "bad tls host", mutate: func(ing *networkingv1.Ingress) { ing.Spec.TLS[0].Hosts[1] = "Foo_" }, field: "spec.tls[0].hosts[1]", typ: field.ErrorTypeInvalid},
		{name: "bad tls secret", mutate: func(ing *networkingv1.Ingress) { ing.Spec.TLS[0].SecretName = "Bad" }, field: "spec.tls[0].secretName", typ: field.ErrorTypeInvalid},
		{name: "bad class name", mutate: func(ing *networkingv1.Ingress) { ing.Spec.IngressClassName = ptr.To("Bad!") }, field: "spec.ingressClassName", typ: field.ErrorTypeInvalid},
		{name: "class annotation mismatch", mutate: func(ing *networkingv1.Ingress) {
			ing.Annotations = map[string]string{annotationIngressClass: "other"}
		}, field: "annotations.kubernetes.io/ingress.class", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ing := validIngress()
			tc.mutate(ing)
			expectOne(t, Validate(ing), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdateRatchets(t *testing.T) {
	old := validIngress()
	old.Spec.TLS[0].SecretName = "Bad"
	old.Spec.Rules[0].HTTP.Paths[0].PathType = nil
	ing := old.DeepCopy()
	ing.Labels = map[string]string{"x": "y"}
	expectOne(t, ValidateUpdate(ing, old), "", "")
	// The annotation/class mismatch is checked on create only.
	ing.Annotations = map[string]string{annotationIngressClass: "other"}
	expectOne(t, ValidateUpdate(ing, old), "", "")
}

func TestValidateStatusUpdate(t *testing.T) {
	old := validIngress()
	ing := old.DeepCopy()
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}, {Hostname: "lb.example.com"}}
	expectOne(t, ValidateStatusUpdate(ing, old), "", "")
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3"}}
	expectOne(t, ValidateStatusUpdate(ing, old), "status.loadBalancer.ingress[0].ip", field.ErrorTypeInvalid)
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{Hostname: "1.2.3.4"}}
	expectOne(t, ValidateStatusUpdate(ing, old), "status.loadBalancer.ingress[0].hostname", field.ErrorTypeInvalid)
}

func TestStatusStrategyKeepsSpec(t *testing.T) {
	old := validIngress()
	ing := old.DeepCopy()
	ing.Spec.IngressClassName = ptr.To("changed")
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}}
	StatusStrategy.PrepareForUpdate(context.Background(), ing, old)
	if *ing.Spec.IngressClassName != "nginx" || len(ing.Status.LoadBalancer.Ingress) != 1 {
		t.Fatalf("status update must keep spec and take status: %+v", ing)
	}
}

func TestStrategyGeneration(t *testing.T) {
	ing := validIngress()
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "1.2.3.4"}}
	Strategy.PrepareForCreate(context.Background(), ing)
	if ing.Generation != 1 || len(ing.Status.LoadBalancer.Ingress) != 0 {
		t.Fatalf("create: generation %d, status %v", ing.Generation, ing.Status)
	}
	upd := ing.DeepCopy()
	upd.Spec.IngressClassName = ptr.To("other")
	Strategy.PrepareForUpdate(context.Background(), upd, ing)
	if upd.Generation != 2 {
		t.Fatalf("spec change must bump generation, got %d", upd.Generation)
	}
}

func TestTable(t *testing.T) {
	ing := validIngress()
	ing.Spec.Rules = append(ing.Spec.Rules, networkingv1.IngressRule{Host: "b"}, networkingv1.IngressRule{}, networkingv1.IngressRule{Host: "c"}, networkingv1.IngressRule{Host: "d"})
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: "10.0.0.2"}, {Hostname: "lb"}, {IP: "10.0.0.1"}}
	tbl, err := Table.ConvertToTable(context.Background(), ing, nil)
	if err != nil {
		t.Fatal(err)
	}
	cells := tbl.Rows[0].Cells
	want := []any{"ing", "nginx", "*.example.com,b,c + 2 more...", "10.0.0.1,10.0.0.2,lb", "80, 443"}
	for i, w := range want {
		if cells[i] != w {
			t.Errorf("cell %d = %v, want %v", i, cells[i], w)
		}
	}
	if len(tbl.ColumnDefinitions) != 6 {
		t.Errorf("want 6 columns, got %d", len(tbl.ColumnDefinitions))
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
