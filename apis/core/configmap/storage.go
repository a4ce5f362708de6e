package configmap

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the configmaps resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("configmaps"),
		Singular:   "configmap",
		New:        func() runtime.Object { return &corev1.ConfigMap{} },
		NewList:    func() runtime.Object { return &corev1.ConfigMapList{} },
		Strategy:   Strategy,
		ShortNames: []string{"cm"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				registry.Column("Data", "string", 0),
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				cm := obj.(*corev1.ConfigMap)
				return []any{int64(len(cm.Data) + len(cm.BinaryData)), registry.AgeOf(cm)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"configmaps": store}, nil
}
