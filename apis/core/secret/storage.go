package secret

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the secrets resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("secrets"),
		Singular: "secret",
		New:      func() runtime.Object { return &corev1.Secret{} },
		NewList:  func() runtime.Object { return &corev1.SecretList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"type": string(obj.(*corev1.Secret).Type)}
		},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				table.Column("Type", corev1.Secret{}.SwaggerDoc()["type"], 0),
				table.Column("Data", corev1.Secret{}.SwaggerDoc()["data"], 0),
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				s := obj.(*corev1.Secret)
				return []any{string(s.Type), int64(len(s.Data)), registry.AgeOf(s)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"secrets": store}, nil
}
