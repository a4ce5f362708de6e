package csidriver

import (
	"strings"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the csidrivers resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: storagev1.Resource("csidrivers"),
		Singular: "csidriver",
		New:      func() runtime.Object { return &storagev1.CSIDriver{} },
		NewList:  func() runtime.Object { return &storagev1.CSIDriverList{} },
		Strategy: Strategy,
		Table:    Table,
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{"csidrivers": store}, nil
}

var specDoc = storagev1.CSIDriverSpec{}.SwaggerDoc()

// Table prints CSIDrivers as upstream does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "AttachRequired", Type: "boolean", Description: specDoc["attachRequired"]},
		{Name: "PodInfoOnMount", Type: "boolean", Description: specDoc["podInfoOnMount"]},
		{Name: "StorageCapacity", Type: "boolean", Description: specDoc["storageCapacity"]},
		{Name: "TokenRequests", Type: "string", Description: specDoc["tokenRequests"]},
		{Name: "RequiresRepublish", Type: "boolean", Description: specDoc["requiresRepublish"]},
		{Name: "Modes", Type: "string", Description: specDoc["volumeLifecycleModes"]},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		spec := obj.(*storagev1.CSIDriver).Spec
		boolOr := func(b *bool, def bool) bool {
			if b == nil {
				return def
			}
			return *b
		}
		var modes []string
		for _, m := range spec.VolumeLifecycleModes {
			modes = append(modes, string(m))
		}
		modesCell := strings.Join(modes, ",")
		if modesCell == "" {
			modesCell = "<none>"
		}
		tokens := "<unset>"
		if spec.TokenRequests != nil {
			var audiences []string
			for _, t := range spec.TokenRequests {
				audiences = append(audiences, t.Audience)
			}
			tokens = strings.Join(audiences, ",")
		}
		return []any{
			boolOr(spec.AttachRequired, true), boolOr(spec.PodInfoOnMount, false), boolOr(spec.StorageCapacity, false),
			tokens, boolOr(spec.RequiresRepublish, false), modesCell, registry.AgeOf(obj),
		}, nil
	},
}
