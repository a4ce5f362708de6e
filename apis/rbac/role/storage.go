package role

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the roles resource. As upstream, it prints the default Name and
// Created At columns.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: rbacv1.Resource("roles"),
		Singular: "role",
		New:      func() runtime.Object { return &rbacv1.Role{} },
		NewList:  func() runtime.Object { return &rbacv1.RoleList{} },
		Strategy: Strategy,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"roles": store}, nil
}
