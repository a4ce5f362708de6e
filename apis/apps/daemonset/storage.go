package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the daemonsets resource with its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   appsv1.Resource("daemonsets"),
		Singular:   "daemonset",
		New:        func() runtime.Object { return &appsv1.DaemonSet{} },
		NewList:    func() runtime.Object { return &appsv1.DaemonSetList{} },
		Strategy:   Strategy,
		ShortNames: []string{"ds"},
		Categories: []string{"all"},
		Table:      table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"daemonsets":        store,
		"daemonsets/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Desired", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["desiredNumberScheduled"]},
		{Name: "Current", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["currentNumberScheduled"]},
		{Name: "Ready", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["numberReady"]},
		{Name: "Up-to-date", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["updatedNumberScheduled"]},
		{Name: "Available", Type: "integer", Description: appsv1.DaemonSetStatus{}.SwaggerDoc()["numberAvailable"]},
		{Name: "Node Selector", Type: "string", Description: corev1.PodSpec{}.SwaggerDoc()["nodeSelector"]},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: appsv1.DaemonSetSpec{}.SwaggerDoc()["selector"]},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		ds := obj.(*appsv1.DaemonSet)
		s := ds.Status
		names, images := appsvalidation.ContainerCells(ds.Spec.Template.Spec.Containers)
		return []any{
			int64(s.DesiredNumberScheduled), int64(s.CurrentNumberScheduled), int64(s.NumberReady),
			int64(s.UpdatedNumberScheduled), int64(s.NumberAvailable),
			labels.FormatLabels(ds.Spec.Template.Spec.NodeSelector),
			registry.AgeOf(ds),
			names, images, metav1.FormatLabelSelector(ds.Spec.Selector),
		}, nil
	},
}
