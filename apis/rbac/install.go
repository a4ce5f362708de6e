// Package rbac serves the rbac.authorization.k8s.io API group.
package rbac

import (
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the rbac.authorization.k8s.io group.
var Group = registry.Group{
	Name:     rbacv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(rbacv1.AddToScheme, []schema.GroupVersion{rbacv1.SchemeGroupVersion}, rbacv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
