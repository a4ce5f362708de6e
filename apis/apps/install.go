// Package apps serves the apps API group.
package apps

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the apps group.
var Group = registry.Group{
	Name:     appsv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(appsv1.AddToScheme, []schema.GroupVersion{appsv1.SchemeGroupVersion}, appsv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
