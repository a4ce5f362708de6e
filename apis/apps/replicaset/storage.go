package replicaset

import (
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the replicasets resource with its status and scale subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   appsv1.Resource("replicasets"),
		Singular:   "replicaset",
		New:        func() runtime.Object { return &appsv1.ReplicaSet{} },
		NewList:    func() runtime.Object { return &appsv1.ReplicaSetList{} },
		Strategy:   Strategy,
		ShortNames: []string{"rs"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"replicasets":        store,
		"replicasets/status": registry.NewStatusREST(store, StatusStrategy),
		"replicasets/scale":  registry.NewScaleREST(store, scalable),
	}, nil
}

var scalable = registry.Scalable{
	Replicas: func(obj runtime.Object) (int32, int32, string, error) {
		rs := obj.(*appsv1.ReplicaSet)
		selector, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
		if err != nil {
			return 0, 0, "", err
		}
		return appsvalidation.Deref(rs.Spec.Replicas), rs.Status.Replicas, selector.String(), nil
	},
	SetReplicas: func(obj runtime.Object, replicas int32) { obj.(*appsv1.ReplicaSet).Spec.Replicas = &replicas },
	Versions:    []string{"apps/v1"},
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Desired", Type: "integer", Description: appsv1.ReplicaSetSpec{}.SwaggerDoc()["replicas"]},
		{Name: "Current", Type: "integer", Description: appsv1.ReplicaSetStatus{}.SwaggerDoc()["replicas"]},
		{Name: "Ready", Type: "integer", Description: appsv1.ReplicaSetStatus{}.SwaggerDoc()["readyReplicas"]},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.ReplicaSetSpec{}.SwaggerDoc()["selector"]},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		rs := obj.(*appsv1.ReplicaSet)
		names, images := appsvalidation.ContainerCells(rs.Spec.Template.Spec.Containers)
		return []any{
			int64(appsvalidation.Deref(rs.Spec.Replicas)),
			int64(rs.Status.Replicas),
			int64(rs.Status.ReadyReplicas),
			registry.AgeOf(rs),
			names, images, metav1.FormatLabelSelector(rs.Spec.Selector),
		}, nil
	},
}
