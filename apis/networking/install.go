// Package networking serves the networking.k8s.io API group.
package networking

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the networking.k8s.io group.
var Group = registry.Group{
	Name:     networkingv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(networkingv1.AddToScheme, []schema.GroupVersion{networkingv1.SchemeGroupVersion}, networkingv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
