package mutatingadmissionpolicybinding

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the mutatingadmissionpolicybindings resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   admissionregistrationv1.Resource("mutatingadmissionpolicybindings"),
		Singular:   "mutatingadmissionpolicybinding",
		New:        func() runtime.Object { return &admissionregistrationv1.MutatingAdmissionPolicyBinding{} },
		NewList:    func() runtime.Object { return &admissionregistrationv1.MutatingAdmissionPolicyBindingList{} },
		Strategy:   Strategy,
		Categories: []string{"api-extensions"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "PolicyName", Type: "string", Description: "PolicyName indicates the policy definition which the policy binding binded to"},
				{Name: "ParamRef", Type: "string", Description: "ParamRef indicates the param resource which sets the configuration param"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				b := obj.(*admissionregistrationv1.MutatingAdmissionPolicyBinding)
				return []any{b.Spec.PolicyName, validation.ParamRefString(b.Spec.ParamRef), registry.AgeOf(b)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"mutatingadmissionpolicybindings": store}, nil
}
