// Package coordination serves the coordination.k8s.io API group.
package coordination

import (
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/coordination/lease"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the coordination.k8s.io group.
var Group = registry.Group{
	Name:     coordinationv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(coordinationv1.AddToScheme, []schema.GroupVersion{coordinationv1.SchemeGroupVersion}, coordinationv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1",
		lease.NewStorage,
	),
}
