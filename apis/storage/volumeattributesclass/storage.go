package volumeattributesclass

import (
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the volumeattributesclasses resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   storagev1.Resource("volumeattributesclasses"),
		Singular:   "volumeattributesclass",
		New:        func() runtime.Object { return &storagev1.VolumeAttributesClass{} },
		NewList:    func() runtime.Object { return &storagev1.VolumeAttributesClassList{} },
		Strategy:   Strategy,
		ShortNames: []string{"vac"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "DriverName", Type: "string", Description: storagev1.VolumeAttributesClass{}.SwaggerDoc()["driverName"]},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				vac := obj.(*storagev1.VolumeAttributesClass)
				return []any{vac.DriverName, registry.AgeOf(vac)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{"volumeattributesclasses": store}, nil
}
