package defaultingressclass

import (
	"testing"
	"time"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func class(name string, age time.Duration, isDefault string) *networkingv1.IngressClass {
	c := &networkingv1.IngressClass{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(-age))}}
	if isDefault != "" {
		c.Annotations = map[string]string{networkingv1.AnnotationIsDefaultIngressClass: isDefault}
	}
	return c
}

func TestAdmit(t *testing.T) {
	nginx := class("nginx", time.Hour, "true")
	tests := []struct {
		name    string
		classes []runtime.Object
		ing     *networkingv1.Ingress
		want    *string
	}{
		{name: "no classes", ing: &networkingv1.Ingress{}, want: nil},
		{name: "no default", classes: []runtime.Object{class("a", time.Hour, "false"), class("b", time.Hour, "")}, ing: &networkingv1.Ingress{}, want: nil},
		{name: "default", classes: []runtime.Object{class("a", time.Hour, ""), nginx}, ing: &networkingv1.Ingress{}, want: ptr.To("nginx")},
		{name: "newest default wins", classes: []runtime.Object{nginx, class("newer", time.Minute, "true")}, ing: &networkingv1.Ingress{}, want: ptr.To("newer")},
		{name: "same age: first by name", classes: []runtime.Object{class("b", time.Minute, "true"), class("a", time.Minute, "true")}, ing: &networkingv1.Ingress{}, want: ptr.To("a")},
		{name: "class given", classes: []runtime.Object{nginx}, ing: &networkingv1.Ingress{Spec: networkingv1.IngressSpec{IngressClassName: ptr.To("x")}}, want: ptr.To("x")},
		{
			name: "class annotation", classes: []runtime.Object{nginx},
			ing:  &networkingv1.Ingress{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"kubernetes.io/ingress.class": "x"}}},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, tt.classes...)
			tt.ing.Name, tt.ing.Namespace = "ing", "ns"
			err := admissiontest.Run(p, admissiontest.Request{
				Op: admission.Create, Namespace: "ns", Object: tt.ing,
				Resource: networkingv1.SchemeGroupVersion.WithResource("ingresses"), Kind: networkingv1.SchemeGroupVersion.WithKind("Ingress"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !ptr.Equal(tt.ing.Spec.IngressClassName, tt.want) {
				t.Errorf("ingressClassName = %v, want %v", ptr.Deref(tt.ing.Spec.IngressClassName, "<nil>"), ptr.Deref(tt.want, "<nil>"))
			}
		})
	}
}

func TestWrongType(t *testing.T) {
	p := New()
	admissiontest.Init(t, p)
	err := admissiontest.Run(p, admissiontest.Request{
		Op: admission.Create, Namespace: "ns", Object: &networkingv1.IngressClass{},
		Resource: networkingv1.SchemeGroupVersion.WithResource("ingresses"), Kind: networkingv1.SchemeGroupVersion.WithKind("IngressClass"),
	})
	if !apierrors.IsInternalError(err) {
		t.Fatalf("err = %v, want 500", err)
	}
}
