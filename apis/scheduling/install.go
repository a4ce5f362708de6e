// Package scheduling serves the scheduling.k8s.io API group.
package scheduling

import (
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheduling/defaults"
	"github.com/skiff-sh/skiff/apis/scheduling/priorityclass"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the scheduling.k8s.io group.
var Group = registry.Group{
	Name:     schedulingv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(schedulingv1.AddToScheme, []schema.GroupVersion{schedulingv1.SchemeGroupVersion}, schedulingv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		priorityclass.NewStorage,
	),
}
