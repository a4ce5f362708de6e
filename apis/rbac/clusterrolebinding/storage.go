package clusterrolebinding

import (
	rbacv1 "k8s.io/api/rbac/v1"
	rbacv1beta1 "k8s.io/api/rbac/v1beta1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/rbac/rolebinding"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the clusterrolebindings resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: rbacv1.Resource("clusterrolebindings"),
		Singular: "clusterrolebinding",
		New:      func() runtime.Object { return &rbacv1.ClusterRoleBinding{} },
		NewList:  func() runtime.Object { return &rbacv1.ClusterRoleBindingList{} },
		Strategy: Strategy,
		Table: rolebinding.BindingTable("clusterRoleBinding", rbacv1beta1.ClusterRoleBinding{}.SwaggerDoc()["roleRef"], func(obj runtime.Object) (rbacv1.RoleRef, []rbacv1.Subject) {
			crb := obj.(*rbacv1.ClusterRoleBinding)
			return crb.RoleRef, crb.Subjects
		}),
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"clusterrolebindings": store}, nil
}
