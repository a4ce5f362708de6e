package runtimeclass

import (
	nodev1 "k8s.io/api/node/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the runtimeclasses resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: nodev1.Resource("runtimeclasses"),
		Singular: "runtimeclass",
		New:      func() runtime.Object { return &nodev1.RuntimeClass{} },
		NewList:  func() runtime.Object { return &nodev1.RuntimeClassList{} },
		Strategy: Strategy,
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				// Upstream describes the column with ObjectMeta's (missing) "handler" doc.
				{Name: "Handler", Type: "string", Description: metav1.ObjectMeta{}.SwaggerDoc()["handler"]},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				rc := obj.(*nodev1.RuntimeClass)
				return []any{rc.Handler, registry.AgeOf(rc)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"runtimeclasses": store}, nil
}
