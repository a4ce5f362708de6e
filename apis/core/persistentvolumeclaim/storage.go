package persistentvolumeclaim

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the persistentvolumeclaims resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("persistentvolumeclaims"),
		Singular:   "persistentvolumeclaim",
		New:        func() runtime.Object { return &corev1.PersistentVolumeClaim{} },
		NewList:    func() runtime.Object { return &corev1.PersistentVolumeClaimList{} },
		Strategy:   Strategy,
		ShortNames: []string{"pvc"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{
		"persistentvolumeclaims":        store,
		"persistentvolumeclaims/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

// Table renders claims as kubectl get does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		table.Column("Status", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["phase"], 0),
		table.Column("Volume", corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeName"], 0),
		table.Column("Capacity", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["capacity"], 0),
		table.Column("Access Modes", corev1.PersistentVolumeClaimStatus{}.SwaggerDoc()["accessModes"], 0),
		table.Column("StorageClass", "StorageClass of the pvc", 0),
		table.Column("VolumeAttributesClass", "VolumeAttributesClass of the pvc", 0),
		registry.AgeColumn,
		table.Column("VolumeMode", corev1.PersistentVolumeClaimSpec{}.SwaggerDoc()["volumeMode"], 1),
	},
	Row: func(obj runtime.Object) ([]any, error) {
		pvc := obj.(*corev1.PersistentVolumeClaim)
		phase := string(pvc.Status.Phase)
		if pvc.DeletionTimestamp != nil {
			phase = "Terminating"
		}
		capacity, modes := "", ""
		if pvc.Spec.VolumeName != "" {
			modes = table.AccessModes(pvc.Status.AccessModes)
			size := pvc.Status.Capacity[corev1.ResourceStorage]
			capacity = size.String()
		}
		class := ""
		if c, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
			class = c
		} else if pvc.Spec.StorageClassName != nil {
			class = *pvc.Spec.StorageClassName
		}
		vac, mode := "<unset>", "<unset>"
		if pvc.Spec.VolumeAttributesClassName != nil {
			vac = *pvc.Spec.VolumeAttributesClassName
		}
		if pvc.Spec.VolumeMode != nil {
			mode = string(*pvc.Spec.VolumeMode)
		}
		return []any{phase, pvc.Spec.VolumeName, capacity, modes, class, vac, registry.AgeOf(pvc), mode}, nil
	},
}
