// Package discovery serves the discovery.k8s.io API group.
package discovery

import (
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/discovery/defaults"
	"github.com/skiff-sh/skiff/apis/discovery/endpointslice"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the discovery.k8s.io group.
var Group = registry.Group{
	Name:     discoveryv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(discoveryv1.AddToScheme, []schema.GroupVersion{discoveryv1.SchemeGroupVersion}, discoveryv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		endpointslice.NewStorage,
	),
}
