// Package authorization serves the authorization.k8s.io API group.
package authorization

import (
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the authorization.k8s.io group.
var Group = registry.Group{
	Name:     authorizationv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(authorizationv1.AddToScheme, []schema.GroupVersion{authorizationv1.SchemeGroupVersion}, authorizationv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
