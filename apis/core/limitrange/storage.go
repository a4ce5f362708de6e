package limitrange

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the limitranges resource. Upstream prints them with the default
// NAME / CREATED AT table.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("limitranges"),
		Singular:   "limitrange",
		New:        func() runtime.Object { return &corev1.LimitRange{} },
		NewList:    func() runtime.Object { return &corev1.LimitRangeList{} },
		Strategy:   Strategy,
		ShortNames: []string{"limits"},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"limitranges": store}, nil
}
