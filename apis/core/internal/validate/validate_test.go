package validate

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestResourceNames(t *testing.T) {
	cases := []struct {
		name      corev1.ResourceName
		fn        func(corev1.ResourceName, *field.Path) field.ErrorList
		wantValid bool
	}{
		{"cpu", ResourceName, true},
		{"storage", ResourceName, true},
		{"hugepages-2Mi", ResourceName, true},
		{"bogus", ResourceName, false},
		{"example.com/gpu", ResourceName, true},
		{"requests.cpu", QuotaResourceName, true},
		{"count/deployments.apps", QuotaResourceName, true},
		{"foo", QuotaResourceName, false},
		{"requests.hugepages-2Mi", QuotaResourceName, true},
	}
	for _, tc := range cases {
		if errs := tc.fn(tc.name, field.NewPath("x")); (len(errs) == 0) != tc.wantValid {
			t.Errorf("%s: valid=%v, errors %v", tc.name, tc.wantValid, errs)
		}
	}
}

func TestObjectMetaFinalizers(t *testing.T) {
	meta := &metav1.ObjectMeta{Name: "a", Namespace: "ns", Finalizers: []string{"kubernetes", "example.com/x", "mine"}}
	errs := ObjectMeta(meta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	if len(errs) != 1 || errs[0].Field != "metadata.finalizers[2]" {
		t.Fatalf("finalizers: %v", errs)
	}
}

func TestEndpointIP(t *testing.T) {
	for ip, valid := range map[string]bool{"10.0.0.1": true, "127.0.0.1": false, "0.0.0.0": false, "169.254.1.1": false, "fe80::1": false, "2001:db8::1": true, "x": false} {
		if errs := EndpointIP(ip, field.NewPath("ip")); (len(errs) == 0) != valid {
			t.Errorf("%s: %v", ip, errs)
		}
	}
}

func TestHasInvalidLabelValueInNodeSelectorTerms(t *testing.T) {
	terms := func(values ...string) []corev1.NodeSelectorTerm {
		return []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: values}}}}
	}
	if HasInvalidLabelValueInNodeSelectorTerms(terms("a", "b")) || HasInvalidLabelValueInNodeSelectorTerms(nil) {
		t.Error("valid values reported invalid")
	}
	if !HasInvalidLabelValueInNodeSelectorTerms(terms("a", "not valid")) {
		t.Error("invalid value not found")
	}
}
