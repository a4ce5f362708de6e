package clusterrole

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		role  rbacv1.ClusterRole
		field string
	}{
		{name: "non-resource URL", role: rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}}}}},
		{name: "aggregated", role: rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r"}, AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{MatchLabels: map[string]string{"a": "b"}}}}}},
		{name: "namespace forbidden", role: rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}}, field: "metadata.namespace"},
		{name: "empty aggregation rule", role: rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "r"}, AggregationRule: &rbacv1.AggregationRule{}}, field: "aggregationRule.clusterRoleSelectors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&tc.role)
			if tc.field == "" && len(errs) != 0 || tc.field != "" && (len(errs) != 1 || errs[0].Field != tc.field) {
				t.Fatalf("want error at %q, got %v", tc.field, errs)
			}
		})
	}
}

func TestValidateUpdateStoredSelectors(t *testing.T) {
	old := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: "r", ResourceVersion: "1"},
		AggregationRule: &rbacv1.AggregationRule{ClusterRoleSelectors: []metav1.LabelSelector{{
			MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "a", Operator: metav1.LabelSelectorOpIn, Values: []string{"-bad-"}}},
		}}},
	}
	role := old.DeepCopy()
	role.Labels = map[string]string{"x": "y"}
	// As upstream, the stored value passes the selector check but the selector still does not parse.
	errs := ValidateUpdate(role, old)
	if len(errs) != 1 || errs[0].Field != "aggregationRule.clusterRoleSelectors[0]" {
		t.Fatalf("want only the parse error, got %v", errs)
	}
	if errs := Validate(role); len(errs) != 2 {
		t.Fatalf("want value and parse errors on create, got %v", errs)
	}
}
