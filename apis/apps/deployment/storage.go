package deployment

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the deployments resource with its status and scale subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   appsv1.Resource("deployments"),
		Singular:   "deployment",
		New:        func() runtime.Object { return &appsv1.Deployment{} },
		NewList:    func() runtime.Object { return &appsv1.DeploymentList{} },
		Strategy:   Strategy,
		ShortNames: []string{"deploy"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"deployments":        store,
		"deployments/status": registry.NewStatusREST(store, StatusStrategy),
		"deployments/scale":  registry.NewScaleREST(store, scalable),
	}, nil
}

var scalable = registry.Scalable{
	Replicas: func(obj runtime.Object) (int32, int32, string, error) {
		d := obj.(*appsv1.Deployment)
		selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil {
			return 0, 0, "", err
		}
		return appsvalidation.Deref(d.Spec.Replicas), d.Status.Replicas, selector.String(), nil
	},
	SetReplicas: func(obj runtime.Object, replicas int32) { obj.(*appsv1.Deployment).Spec.Replicas = &replicas },
	Versions:    []string{"apps/v1"},
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Ready", Type: "string", Description: "Number of the pod with ready state"},
		{Name: "Up-to-date", Type: "string", Description: appsv1.DeploymentStatus{}.SwaggerDoc()["updatedReplicas"]},
		{Name: "Available", Type: "string", Description: appsv1.DeploymentStatus{}.SwaggerDoc()["availableReplicas"]},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.DeploymentSpec{}.SwaggerDoc()["selector"]},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		d := obj.(*appsv1.Deployment)
		selector := "<invalid>"
		if s, err := metav1.LabelSelectorAsSelector(d.Spec.Selector); err == nil {
			selector = s.String()
		}
		names, images := appsvalidation.ContainerCells(d.Spec.Template.Spec.Containers)
		return []any{
			fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, appsvalidation.Deref(d.Spec.Replicas)),
			int64(d.Status.UpdatedReplicas),
			int64(d.Status.AvailableReplicas),
			registry.AgeOf(d),
			names, images, selector,
		}, nil
	},
}
