package role

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		role  rbacv1.Role
		field string
	}{
		{name: "valid", role: rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r:1", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}}}},
		{name: "namespace required", role: rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r"}}, field: "metadata.namespace"},
		{name: "non-resource URL", role: rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{{Verbs: []string{"get"}, NonResourceURLs: []string{"/x"}}}}, field: "rules[0].nonResourceURLs"},
		{name: "no verbs", role: rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: "r", Namespace: "ns"}, Rules: []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}}}}, field: "rules[0].verbs"},
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
