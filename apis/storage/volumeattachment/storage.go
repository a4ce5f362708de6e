package volumeattachment

import (
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the volumeattachments resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: storagev1.Resource("volumeattachments"),
		Singular: "volumeattachment",
		New:      func() runtime.Object { return &storagev1.VolumeAttachment{} },
		NewList:  func() runtime.Object { return &storagev1.VolumeAttachmentList{} },
		Strategy: Strategy,
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Attacher", Type: "string", Format: "name", Description: storagev1.VolumeAttachmentSpec{}.SwaggerDoc()["attacher"]},
				{Name: "PV", Type: "string", Description: storagev1.VolumeAttachmentSource{}.SwaggerDoc()["persistentVolumeName"]},
				{Name: "Node", Type: "string", Description: storagev1.VolumeAttachmentSpec{}.SwaggerDoc()["nodeName"]},
				{Name: "Attached", Type: "boolean", Description: storagev1.VolumeAttachmentStatus{}.SwaggerDoc()["attached"]},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				va := obj.(*storagev1.VolumeAttachment)
				pv := ""
				if va.Spec.Source.PersistentVolumeName != nil {
					pv = *va.Spec.Source.PersistentVolumeName
				}
				return []any{va.Spec.Attacher, pv, va.Spec.NodeName, va.Status.Attached, registry.AgeOf(va)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{
		"volumeattachments":        store,
		"volumeattachments/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}
