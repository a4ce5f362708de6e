package priorityclass

import (
	"context"
	"errors"
	"fmt"

	schedulingv1 "k8s.io/api/scheduling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
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

// REST is the priorityclasses store with upstream's admission rules for the kind: at most one
// class is the global default, and the system classes cannot be deleted.
type REST struct {
	*registry.Store
}

// Create refuses a second global default, after the strategy has validated the class (where
// upstream's Priority admission plugin checks it).
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	return r.Store.Create(ctx, obj, func(ctx context.Context, obj runtime.Object) error {
		if err := r.checkGlobalDefault(ctx, obj.(*schedulingv1.PriorityClass), false); err != nil {
			return err
		}
		if createValidation != nil {
			return createValidation(ctx, obj)
		}
		return nil
	}, options)
}

// Update refuses to make a class the global default while another one is.
func (r *REST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.Store.Update(ctx, name, objInfo, createValidation, func(ctx context.Context, obj, old runtime.Object) error {
		if err := r.checkGlobalDefault(ctx, obj.(*schedulingv1.PriorityClass), true); err != nil {
			return err
		}
		if updateValidation != nil {
			return updateValidation(ctx, obj, old)
		}
		return nil
	}, forceAllowCreate, options)
}

// Delete refuses to delete the system classes.
func (r *REST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	if IsSystemPriorityClass(name) {
		return nil, false, apierrors.NewForbidden(schedulingv1.Resource("priorityclasses"), name, errors.New("this is a system priority class and cannot be deleted"))
	}
	return r.Store.Delete(ctx, name, deleteValidation, options)
}

// checkGlobalDefault returns a Forbidden error when pc wants to be the global default but
// another class already is (an update of that class itself is fine).
func (r *REST) checkGlobalDefault(ctx context.Context, pc *schedulingv1.PriorityClass, update bool) error {
	if !pc.GlobalDefault {
		return nil
	}
	list, err := r.Store.List(ctx, &metainternalversion.ListOptions{})
	if err != nil {
		return fmt.Errorf("failed to get default priority class: %w", err)
	}
	// As upstream, with several defaults (after a race) the lowest value counts.
	var def *schedulingv1.PriorityClass
	for i := range list.(*schedulingv1.PriorityClassList).Items {
		item := &list.(*schedulingv1.PriorityClassList).Items[i]
		if item.GlobalDefault && (def == nil || def.Value > item.Value) {
			def = item
		}
	}
	if def == nil || (update && def.Name == pc.Name) {
		return nil
	}
	return apierrors.NewForbidden(schedulingv1.Resource("priorityclasses"), pc.Name,
		fmt.Errorf("PriorityClass %v is already marked as default. Only one default can exist", def.Name))
}
