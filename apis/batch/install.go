// Package batch serves the batch API group.
package batch

import (
	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/batch/cronjob"
	"github.com/skiff-sh/skiff/apis/batch/defaults"
	"github.com/skiff-sh/skiff/apis/batch/job"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the batch group.
var Group = registry.Group{
	Name:     batchv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(batchv1.AddToScheme, []schema.GroupVersion{batchv1.SchemeGroupVersion}, batchv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		job.NewStorage,
		cronjob.NewStorage,
	),
}
