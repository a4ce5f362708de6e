// Package core serves the core API group ("", version v1) at /api.
package core

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/core/configmap"
	"github.com/skiff-sh/skiff/apis/core/defaults"
	"github.com/skiff-sh/skiff/apis/core/endpoints"
	"github.com/skiff-sh/skiff/apis/core/event"
	"github.com/skiff-sh/skiff/apis/core/limitrange"
	"github.com/skiff-sh/skiff/apis/core/namespace"
	"github.com/skiff-sh/skiff/apis/core/node"
	"github.com/skiff-sh/skiff/apis/core/persistentvolume"
	"github.com/skiff-sh/skiff/apis/core/persistentvolumeclaim"
	"github.com/skiff-sh/skiff/apis/core/pod"
	"github.com/skiff-sh/skiff/apis/core/podtemplate"
	"github.com/skiff-sh/skiff/apis/core/replicationcontroller"
	"github.com/skiff-sh/skiff/apis/core/resourcequota"
	"github.com/skiff-sh/skiff/apis/core/secret"
	"github.com/skiff-sh/skiff/apis/core/service"
	"github.com/skiff-sh/skiff/apis/core/serviceaccount"
	"github.com/skiff-sh/skiff/apis/core/serviceaccount/token"
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
		pod.NewStorage,
		podtemplate.NewStorage,
		replicationcontroller.NewStorage,
		namespace.NewStorage,
		service.NewStorage,
		endpoints.NewStorage,
		secret.NewStorage,
		serviceaccount.NewStorage,
		token.NewStorage,
		node.NewStorage,
		event.NewStorage,
		limitrange.NewStorage,
		resourcequota.NewStorage,
		persistentvolume.NewStorage,
		persistentvolumeclaim.NewStorage,
	),
}
