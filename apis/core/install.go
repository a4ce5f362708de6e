// Package core serves the core API group ("", version v1) at /api.
package core

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/core/configmap"
	"github.com/skiff-sh/skiff/apis/core/defaults"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the core group.
var Group = registry.Group{
	Name:     "",
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(corev1.AddToScheme, []schema.GroupVersion{corev1.SchemeGroupVersion}, corev1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		configmap.NewStorage,
	),
}
