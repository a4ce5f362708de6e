package csistoragecapacity

import (
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the csistoragecapacities resource. As upstream, it prints the default
// Name and Created At columns.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: storagev1.Resource("csistoragecapacities"),
		Singular: "csistoragecapacity",
		New:      func() runtime.Object { return &storagev1.CSIStorageCapacity{} },
		NewList:  func() runtime.Object { return &storagev1.CSIStorageCapacityList{} },
		Strategy: Strategy,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"csistoragecapacities": store}, nil
}
