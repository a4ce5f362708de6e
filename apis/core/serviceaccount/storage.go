package serviceaccount

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the serviceaccounts resource. (The token subresource is served
// elsewhere, by the authentication work.)
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("serviceaccounts"),
		Singular:   "serviceaccount",
		New:        func() runtime.Object { return &corev1.ServiceAccount{} },
		NewList:    func() runtime.Object { return &corev1.ServiceAccountList{} },
		Strategy:   Strategy,
		ShortNames: []string{"sa"},
		// Upstream v1.37 prints NAME and AGE only (the SECRETS column is gone).
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{registry.AgeColumn},
			Row: func(obj runtime.Object) ([]any, error) {
				return []any{registry.AgeOf(obj)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{"serviceaccounts": store}, nil
}
