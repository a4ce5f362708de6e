package rolebinding

import (
	"context"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func binding() *rbacv1.RoleBinding {
	return &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "rb", Namespace: "default", ResourceVersion: "1"},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "view"},
		Subjects: []rbacv1.Subject{
			{Kind: "User", APIGroup: rbacv1.GroupName, Name: "alice"},
			{Kind: "User", APIGroup: rbacv1.GroupName, Name: "bob"},
			{Kind: "Group", APIGroup: rbacv1.GroupName, Name: "devs"},
			{Kind: "ServiceAccount", Name: "sa", Namespace: "kube-system"},
		},
	}
}

func TestValidate(t *testing.T) {
	rb := binding()
	if errs := Validate(rb); len(errs) != 0 {
		t.Fatalf("valid binding rejected: %v", errs)
	}
	rb.Name = "a/b"
	if errs := Validate(rb); len(errs) != 1 || errs[0].Field != "metadata.name" {
		t.Fatalf("want a metadata.name error, got %v", errs)
	}
}

func TestValidateUpdateRoleRefImmutable(t *testing.T) {
	old := binding()
	rb := old.DeepCopy()
	rb.Subjects = rb.Subjects[:1]
	if errs := ValidateUpdate(rb, old); len(errs) != 0 {
		t.Fatalf("subjects may change: %v", errs)
	}
	rb.RoleRef.Name = "edit"
	errs := ValidateUpdate(rb, old)
	if len(errs) != 1 || errs[0].Field != "roleRef" || errs[0].Type != field.ErrorTypeInvalid {
		t.Fatalf("want roleRef immutable, got %v", errs)
	}
}

func TestTable(t *testing.T) {
	tbl, err := NewTable().ConvertToTable(context.Background(), binding(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.ColumnDefinitions) != 6 || tbl.ColumnDefinitions[3].Priority != 1 {
		t.Fatalf("columns = %+v", tbl.ColumnDefinitions)
	}
	cells := tbl.Rows[0].Cells
	want := []any{"rb", "ClusterRole/view", nil, "alice, bob", "devs", "kube-system/sa"}
	for i, w := range want {
		if w != nil && cells[i] != w {
			t.Errorf("cell %d = %v, want %v", i, cells[i], w)
		}
	}
}
