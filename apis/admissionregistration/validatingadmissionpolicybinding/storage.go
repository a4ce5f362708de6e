package validatingadmissionpolicybinding

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the validatingadmissionpolicybindings resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   admissionregistrationv1.Resource("validatingadmissionpolicybindings"),
		Singular:   "validatingadmissionpolicybinding",
		New:        func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicyBinding{} },
		NewList:    func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicyBindingList{} },
		Strategy:   Strategy,
		Categories: []string{"api-extensions"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "PolicyName", Type: "string", Description: "PolicyName indicates the policy definition which the policy binding binded to"},
				{Name: "ParamRef", Type: "string", Description: "ParamRef indicates the param resource which sets the configuration param"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				b := obj.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding)
				return []any{b.Spec.PolicyName, validation.ParamRefString(b.Spec.ParamRef), registry.AgeOf(b)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"validatingadmissionpolicybindings": store}, nil
}
