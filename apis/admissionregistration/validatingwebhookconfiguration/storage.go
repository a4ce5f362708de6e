package validatingwebhookconfiguration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the validatingwebhookconfigurations resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   admissionregistrationv1.Resource("validatingwebhookconfigurations"),
		Singular:   "validatingwebhookconfiguration",
		New:        func() runtime.Object { return &admissionregistrationv1.ValidatingWebhookConfiguration{} },
		NewList:    func() runtime.Object { return &admissionregistrationv1.ValidatingWebhookConfigurationList{} },
		Strategy:   Strategy,
		Categories: []string{"api-extensions"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Webhooks", Type: "integer", Description: "Webhooks indicates the number of webhooks registered in this configuration"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				cfg := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
				return []any{int64(len(cfg.Webhooks)), registry.AgeOf(cfg)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"validatingwebhookconfigurations": store}, nil
}
