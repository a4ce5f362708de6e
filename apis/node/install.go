// Package node serves the node.k8s.io API group.
package node

import (
	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/node/runtimeclass"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the node.k8s.io group.
var Group = registry.Group{
	Name:     nodev1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(nodev1.AddToScheme, []schema.GroupVersion{nodev1.SchemeGroupVersion}, nodev1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1",
		runtimeclass.NewStorage,
	),
}
