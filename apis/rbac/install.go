// Package rbac serves the rbac.authorization.k8s.io API group. It stores roles and bindings;
// authorization against them is not part of it.
package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/rbac/clusterrole"
	"github.com/skiff-sh/skiff/apis/rbac/clusterrolebinding"
	"github.com/skiff-sh/skiff/apis/rbac/defaults"
	"github.com/skiff-sh/skiff/apis/rbac/role"
	"github.com/skiff-sh/skiff/apis/rbac/rolebinding"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the rbac.authorization.k8s.io group.
var Group = registry.Group{
	Name:     rbacv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(rbacv1.AddToScheme, []schema.GroupVersion{rbacv1.SchemeGroupVersion}, rbacv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		clusterrole.NewStorage,
		clusterrolebinding.NewStorage,
		role.NewStorage,
		rolebinding.NewStorage,
	),
}
