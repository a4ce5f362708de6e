// Package storage serves the storage.k8s.io API group.
package storage

import (
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the storage.k8s.io group.
var Group = registry.Group{
	Name:     storagev1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(storagev1.AddToScheme, []schema.GroupVersion{storagev1.SchemeGroupVersion}, storagev1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
