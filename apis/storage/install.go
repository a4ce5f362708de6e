// Package storage serves the storage.k8s.io API group.
package storage

import (
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
	"github.com/skiff-sh/skiff/apis/storage/csidriver"
	"github.com/skiff-sh/skiff/apis/storage/csinode"
	"github.com/skiff-sh/skiff/apis/storage/csistoragecapacity"
	"github.com/skiff-sh/skiff/apis/storage/defaults"
	"github.com/skiff-sh/skiff/apis/storage/storageclass"
	"github.com/skiff-sh/skiff/apis/storage/volumeattachment"
	"github.com/skiff-sh/skiff/apis/storage/volumeattributesclass"
)

// Group is the storage.k8s.io group.
var Group = registry.Group{
	Name:     storagev1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(storagev1.AddToScheme, []schema.GroupVersion{storagev1.SchemeGroupVersion}, storagev1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		csidriver.NewStorage,
		csinode.NewStorage,
		csistoragecapacity.NewStorage,
		storageclass.NewStorage,
		volumeattachment.NewStorage,
		volumeattributesclass.NewStorage,
	),
}
