package podtemplate

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the podtemplates resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("podtemplates"),
		Singular: "podtemplate",
		New:      func() runtime.Object { return &corev1.PodTemplate{} },
		NewList:  func() runtime.Object { return &corev1.PodTemplateList{} },
		Strategy: Strategy,
		// Upstream prints no Age column for pod templates.
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Containers", Type: "string", Description: "Names of each container in the template."},
				{Name: "Images", Type: "string", Description: "Images referenced by each container in the template."},
				{Name: "Pod Labels", Type: "string", Description: "The labels for the pod template."},
			},
			Row: func(obj runtime.Object) ([]any, error) {
				t := obj.(*corev1.PodTemplate)
				names, images := ContainerCells(t.Template.Spec.Containers)
				return []any{names, images, labels.FormatLabels(t.Template.Labels)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"podtemplates": store}, nil
}

// ContainerCells lays the containers' names and images out on one line each, comma separated.
func ContainerCells(containers []corev1.Container) (names, images string) {
	for i, c := range containers {
		if i > 0 {
			names += ","
			images += ","
		}
		names += c.Name
		images += c.Image
	}
	return names, images
}
