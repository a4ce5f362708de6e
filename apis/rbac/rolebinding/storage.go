package rolebinding

import (
	"fmt"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the rolebindings resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: rbacv1.Resource("rolebindings"),
		Singular: "rolebinding",
		New:      func() runtime.Object { return &rbacv1.RoleBinding{} },
		NewList:  func() runtime.Object { return &rbacv1.RoleBindingList{} },
		Strategy: Strategy,
		Table:    NewTable(),
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"rolebindings": store}, nil
}

// NewTable returns the Table of RoleBindings.
func NewTable() registry.Table {
	return BindingTable("roleBinding", rbacv1beta1.RoleBinding{}.SwaggerDoc()["roleRef"], func(obj runtime.Object) (rbacv1.RoleRef, []rbacv1.Subject) {
		rb := obj.(*rbacv1.RoleBinding)
		return rb.RoleRef, rb.Subjects
	})
}

// BindingTable prints role and cluster role bindings as upstream does: the role, the age and,
// with -o wide, the bound users, groups and service accounts. kind names the binding kind in
// the column descriptions ("roleBinding", "clusterRoleBinding"), roleRefDoc describes the
// Role column.
func BindingTable(kind, roleRefDoc string, binding func(runtime.Object) (rbacv1.RoleRef, []rbacv1.Subject)) registry.Table {
	return registry.Table{
		Columns: []metav1.TableColumnDefinition{
			{Name: "Role", Type: "string", Description: roleRefDoc},
			registry.AgeColumn,
			{Name: "Users", Type: "string", Priority: 1, Description: "Users in the " + kind},
			{Name: "Groups", Type: "string", Priority: 1, Description: "Groups in the " + kind},
			{Name: "ServiceAccounts", Type: "string", Priority: 1, Description: "ServiceAccounts in the " + kind},
		},
		Row: func(obj runtime.Object) ([]any, error) {
			ref, subjects := binding(obj)
			users, groups, sas := []string{}, []string{}, []string{}
			for _, s := range subjects {
				switch s.Kind {
				case rbacv1.ServiceAccountKind:
					sas = append(sas, fmt.Sprintf("%s/%s", s.Namespace, s.Name))
				case rbacv1.UserKind:
					users = append(users, s.Name)
				case rbacv1.GroupKind:
					groups = append(groups, s.Name)
				}
			}
			return []any{
				fmt.Sprintf("%s/%s", ref.Kind, ref.Name), registry.AgeOf(obj),
				strings.Join(users, ", "), strings.Join(groups, ", "), strings.Join(sas, ", "),
			}, nil
		},
	}
}
