package mutatingadmissionpolicy

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the mutatingadmissionpolicies resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   admissionregistrationv1.Resource("mutatingadmissionpolicies"),
		Singular:   "mutatingadmissionpolicy",
		New:        func() runtime.Object { return &admissionregistrationv1.MutatingAdmissionPolicy{} },
		NewList:    func() runtime.Object { return &admissionregistrationv1.MutatingAdmissionPolicyList{} },
		Strategy:   Strategy,
		Categories: []string{"api-extensions"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Mutations", Type: "integer", Description: "Mutation indicates the number of mutations rules defined in this configuration"},
				{Name: "ParamKind", Type: "string", Description: "ParamKind specifies the kind of resources used to parameterize this policy"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				p := obj.(*admissionregistrationv1.MutatingAdmissionPolicy)
				return []any{int64(len(p.Spec.Mutations)), validation.ParamKindString(p.Spec.ParamKind), registry.AgeOf(p)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"mutatingadmissionpolicies": store}, nil
}
