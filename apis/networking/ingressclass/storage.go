package ingressclass

import (
	"context"

	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the ingressclasses resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: networkingv1.Resource("ingressclasses"),
		Singular: "ingressclass",
		New:      func() runtime.Object { return &networkingv1.IngressClass{} },
		NewList:  func() runtime.Object { return &networkingv1.IngressClassList{} },
		Strategy: Strategy,
		Table:    Table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"ingressclasses": store}, nil
}

// Table prints IngressClasses as upstream does, marking the default class in the name cell.
var Table rest.TableConvertor = table{registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Controller", Type: "string", Description: "Controller that is responsible for handling this class"},
		{Name: "Parameters", Type: "string", Description: "A reference to a resource with additional parameters"},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		ic := obj.(*networkingv1.IngressClass)
		params := "<none>"
		if p := ic.Spec.Parameters; p != nil {
			params = p.Kind
			if p.APIGroup != nil {
				params += "." + *p.APIGroup
			}
			params += "/" + p.Name
		}
		return []any{ic.Spec.Controller, params, registry.AgeOf(ic)}, nil
	},
}}

type table struct {
	registry.Table
}

// ConvertToTable appends " (default)" to the name of every class annotated as the default.
func (t table) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	tbl, err := t.Table.ConvertToTable(ctx, object, tableOptions)
	if err != nil {
		return nil, err
	}
	for i := range tbl.Rows {
		if ic, ok := tbl.Rows[i].Object.Object.(*networkingv1.IngressClass); ok && ic.Annotations[networkingv1.AnnotationIsDefaultIngressClass] == "true" {
			tbl.Rows[i].Cells[0] = ic.Name + " (default)"
		}
	}
	return tbl, nil
}
