package csinode

import (
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the csinodes resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: storagev1.Resource("csinodes"),
		Singular: "csinode",
		New:      func() runtime.Object { return &storagev1.CSINode{} },
		NewList:  func() runtime.Object { return &storagev1.CSINodeList{} },
		Strategy: Strategy,
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Drivers", Type: "integer", Description: "Drivers indicates the number of CSI drivers registered on the node"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				n := obj.(*storagev1.CSINode)
				return []any{int64(len(n.Spec.Drivers)), registry.AgeOf(n)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{
		"csinodes":        store,
		"csinodes/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}
