// Package authentication serves the authentication.k8s.io API group.
package authentication

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the authentication.k8s.io group.
var Group = registry.Group{
	Name:     authenticationv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(authenticationv1.AddToScheme, []schema.GroupVersion{authenticationv1.SchemeGroupVersion}, authenticationv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
