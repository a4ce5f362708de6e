package validatingadmissionpolicy

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the validatingadmissionpolicies resource and its status.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   admissionregistrationv1.Resource("validatingadmissionpolicies"),
		Singular:   "validatingadmissionpolicy",
		New:        func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicy{} },
		NewList:    func() runtime.Object { return &admissionregistrationv1.ValidatingAdmissionPolicyList{} },
		Strategy:   Strategy,
		Categories: []string{"api-extensions"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Validations", Type: "integer", Description: "Validations indicates the number of validation rules defined in this configuration"},
				{Name: "ParamKind", Type: "string", Description: "ParamKind specifies the kind of resources used to parameterize this policy"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				p := obj.(*admissionregistrationv1.ValidatingAdmissionPolicy)
				return []any{int64(len(p.Spec.Validations)), validation.ParamKindString(p.Spec.ParamKind), registry.AgeOf(p)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"validatingadmissionpolicies":        store,
		"validatingadmissionpolicies/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}
