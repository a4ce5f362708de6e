package clusterrolebinding

import (
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	base := func() *rbacv1.ClusterRoleBinding {
		return &rbacv1.ClusterRoleBinding{
			ObjectMeta: metav1.ObjectMeta{Name: "system:crb", ResourceVersion: "1"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: "sa", Namespace: "ns"}},
		}
	}
	tests := []struct {
		name   string
		mutate func(*rbacv1.ClusterRoleBinding)
		field  string
	}{
		{name: "valid", mutate: func(*rbacv1.ClusterRoleBinding) {}},
		{name: "role kind", mutate: func(crb *rbacv1.ClusterRoleBinding) { crb.RoleRef.Kind = "Role" }, field: "roleRef.kind"},
		{name: "service account without namespace", mutate: func(crb *rbacv1.ClusterRoleBinding) { crb.Subjects[0].Namespace = "" }, field: "subjects[0].namespace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			crb := base()
			tc.mutate(crb)
			errs := Validate(crb)
			if tc.field == "" && len(errs) != 0 || tc.field != "" && (len(errs) != 1 || errs[0].Field != tc.field) {
				t.Fatalf("want error at %q, got %v", tc.field, errs)
			}
		})
	}
	old := base()
	crb := base()
	crb.RoleRef.Name = "view"
	if errs := ValidateUpdate(crb, old); len(errs) != 1 || errs[0].Field != "roleRef" {
		t.Fatalf("roleRef must be immutable, got %v", errs)
	}
}
