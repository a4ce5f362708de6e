package statefulset

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the statefulsets resource with its status and scale subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   appsv1.Resource("statefulsets"),
		Singular:   "statefulset",
		New:        func() runtime.Object { return &appsv1.StatefulSet{} },
		NewList:    func() runtime.Object { return &appsv1.StatefulSetList{} },
		Strategy:   Strategy,
		ShortNames: []string{"sts"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"statefulsets":        store,
		"statefulsets/status": registry.NewStatusREST(store, StatusStrategy),
		"statefulsets/scale":  registry.NewScaleREST(store, scalable),
	}, nil
}

var scalable = registry.Scalable{
	Replicas: func(obj runtime.Object) (int32, int32, string, error) {
		ss := obj.(*appsv1.StatefulSet)
		selector, err := metav1.LabelSelectorAsSelector(ss.Spec.Selector)
		if err != nil {
			return 0, 0, "", err
		}
		return appsvalidation.Deref(ss.Spec.Replicas), ss.Status.Replicas, selector.String(), nil
	},
	SetReplicas: func(obj runtime.Object, replicas int32) { obj.(*appsv1.StatefulSet).Spec.Replicas = &replicas },
	Versions:    []string{"apps/v1"},
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		ss := obj.(*appsv1.StatefulSet)
		names, images := appsvalidation.ContainerCells(ss.Spec.Template.Spec.Containers)
		return []any{
			fmt.Sprintf("%d/%d", ss.Status.ReadyReplicas, appsvalidation.Deref(ss.Spec.Replicas)),
			registry.AgeOf(ss),
			names, images,
		}, nil
	},
}
