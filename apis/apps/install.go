// Package apps serves the apps API group.
package apps

import (
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/apps/controllerrevision"
	"github.com/skiff-sh/skiff/apis/apps/daemonset"
	"github.com/skiff-sh/skiff/apis/apps/defaults"
	"github.com/skiff-sh/skiff/apis/apps/deployment"
	"github.com/skiff-sh/skiff/apis/apps/replicaset"
	"github.com/skiff-sh/skiff/apis/apps/statefulset"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the apps group.
var Group = registry.Group{
	Name:     appsv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(appsv1.AddToScheme, []schema.GroupVersion{appsv1.SchemeGroupVersion}, appsv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		deployment.NewStorage,
		replicaset.NewStorage,
		statefulset.NewStorage,
		daemonset.NewStorage,
		controllerrevision.NewStorage,
	),
}
