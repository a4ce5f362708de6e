package controllerrevision

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the controllerrevisions resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: appsv1.Resource("controllerrevisions"),
		Singular: "controllerrevision",
		New:      func() runtime.Object { return &appsv1.ControllerRevision{} },
		NewList:  func() runtime.Object { return &appsv1.ControllerRevisionList{} },
		Strategy: Strategy,
		Table:    table,
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"controllerrevisions": store}, nil
}

var table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Controller", Type: "string", Description: "Controller of the object"},
		{Name: "Revision", Type: "string", Description: appsv1.ControllerRevision{}.SwaggerDoc()["revision"]},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		rev := obj.(*appsv1.ControllerRevision)
		controller := "<none>"
		if ref := metav1.GetControllerOf(rev); ref != nil {
			gv, err := schema.ParseGroupVersion(ref.APIVersion)
			if err != nil {
				return nil, err
			}
			controller = ref.Name
			if gk := gv.WithKind(ref.Kind).GroupKind(); !gk.Empty() {
				controller = strings.ToLower(gk.String()) + "/" + ref.Name
			}
		}
		return []any{controller, rev.Revision, registry.AgeOf(rev)}, nil
	},
}
