package replicationcontroller

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/podtemplate"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns replicationcontrollers and their status and scale subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("replicationcontrollers"),
		Singular: "replicationcontroller",
		New:      func() runtime.Object { return &corev1.ReplicationController{} },
		NewList:  func() runtime.Object { return &corev1.ReplicationControllerList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"status.replicas": strconv.Itoa(int(obj.(*corev1.ReplicationController).Status.Replicas))}
		},
		Table:      table,
		ShortNames: []string{"rc"},
		Categories: []string{"all"},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{
		"replicationcontrollers":        store,
		"replicationcontrollers/status": registry.NewStatusREST(store, StatusStrategy),
		"replicationcontrollers/scale":  registry.NewScaleREST(store, scalable),
	}, nil
}

var scalable = registry.Scalable{
	Replicas: func(obj runtime.Object) (int32, int32, string, error) {
		rc := obj.(*corev1.ReplicationController)
		spec := int32(0)
		if rc.Spec.Replicas != nil {
			spec = *rc.Spec.Replicas
		}
		return spec, rc.Status.Replicas, labels.SelectorFromSet(rc.Spec.Selector).String(), nil
	},
	SetReplicas: func(obj runtime.Object, replicas int32) {
		obj.(*corev1.ReplicationController).Spec.Replicas = &replicas
	},
	Versions: []string{"v1"},
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Desired", Type: "integer", Description: corev1.ReplicationControllerSpec{}.SwaggerDoc()["replicas"]},
		{Name: "Current", Type: "integer", Description: corev1.ReplicationControllerStatus{}.SwaggerDoc()["replicas"]},
		{Name: "Ready", Type: "integer", Description: corev1.ReplicationControllerStatus{}.SwaggerDoc()["readyReplicas"]},
		registry.AgeColumn,
		{Name: "Containers", Type: "string", Priority: 1, Description: "Names of each container in the template."},
		{Name: "Images", Type: "string", Priority: 1, Description: "Images referenced by each container in the template."},
		{Name: "Selector", Type: "string", Priority: 1, Description: corev1.ReplicationControllerSpec{}.SwaggerDoc()["selector"]},
	},
	Row: func(obj runtime.Object) ([]any, error) {
		rc := obj.(*corev1.ReplicationController)
		desired := int64(0)
		if rc.Spec.Replicas != nil {
			desired = int64(*rc.Spec.Replicas)
		}
		var containers []corev1.Container
		if rc.Spec.Template != nil {
			containers = rc.Spec.Template.Spec.Containers
		}
		names, images := podtemplate.ContainerCells(containers)
		return []any{desired, int64(rc.Status.Replicas), int64(rc.Status.ReadyReplicas), registry.AgeOf(rc),
			names, images, labels.FormatLabels(rc.Spec.Selector)}, nil
	},
}
