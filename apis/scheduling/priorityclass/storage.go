package priorityclass

import (
	"context"
	"errors"

	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the priorityclasses resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   schedulingv1.Resource("priorityclasses"),
		Singular:   "priorityclass",
		New:        func() runtime.Object { return &schedulingv1.PriorityClass{} },
		NewList:    func() runtime.Object { return &schedulingv1.PriorityClassList{} },
		Strategy:   Strategy,
		ShortNames: []string{"pc"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Value", Type: "integer", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["value"]},
				{Name: "Global-Default", Type: "boolean", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["globalDefault"]},
				registry.AgeColumn,
				{Name: "PreemptionPolicy", Type: "string", Description: schedulingv1.PriorityClass{}.SwaggerDoc()["preemptionPolicy"]},
			},
			Row: func(obj runtime.Object) ([]any, error) {
				pc := obj.(*schedulingv1.PriorityClass)
				policy := ""
				if pc.PreemptionPolicy != nil {
					policy = string(*pc.PreemptionPolicy)
				}
				return []any{int64(pc.Value), pc.GlobalDefault, registry.AgeOf(pc), policy}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"priorityclasses": &REST{Store: store}}, nil
}

// REST is the priorityclasses store: the system classes cannot be deleted. (That at most one
// class is the global default is the Priority admission plugin's rule, apis/admission/priority.)
type REST struct {
	*registry.Store
}

// Delete refuses to delete the system classes.
func (r *REST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	if IsSystemPriorityClass(name) {
		return nil, false, apierrors.NewForbidden(schedulingv1.Resource("priorityclasses"), name, errors.New("this is a system priority class and cannot be deleted"))
	}
	return r.Store.Delete(ctx, name, deleteValidation, options)
}
