package persistentvolume

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the persistentvolumes resource and its status subresource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   corev1.Resource("persistentvolumes"),
		Singular:   "persistentvolume",
		New:        func() runtime.Object { return &corev1.PersistentVolume{} },
		NewList:    func() runtime.Object { return &corev1.PersistentVolumeList{} },
		Strategy:   Strategy,
		ShortNames: []string{"pv"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{
		"persistentvolumes":        store,
		"persistentvolumes/status": registry.NewStatusREST(store, StatusStrategy),
	}, nil
}

// Table renders persistent volumes as kubectl get does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		table.Column("Capacity", corev1.PersistentVolumeSpec{}.SwaggerDoc()["capacity"], 0),
		table.Column("Access Modes", corev1.PersistentVolumeSpec{}.SwaggerDoc()["accessModes"], 0),
		table.Column("Reclaim Policy", corev1.PersistentVolumeSpec{}.SwaggerDoc()["persistentVolumeReclaimPolicy"], 0),
		table.Column("Status", corev1.PersistentVolumeStatus{}.SwaggerDoc()["phase"], 0),
		table.Column("Claim", corev1.PersistentVolumeSpec{}.SwaggerDoc()["claimRef"], 0),
		table.Column("StorageClass", "StorageClass of the pv", 0),
		table.Column("VolumeAttributesClass", "VolumeAttributesClass of the pv", 0),
		table.Column("Reason", corev1.PersistentVolumeStatus{}.SwaggerDoc()["reason"], 0),
		registry.AgeColumn,
		table.Column("VolumeMode", corev1.PersistentVolumeSpec{}.SwaggerDoc()["volumeMode"], 1),
	},
	Row: func(obj runtime.Object) ([]any, error) {
		pv := obj.(*corev1.PersistentVolume)
		claim := ""
		if ref := pv.Spec.ClaimRef; ref != nil {
			claim = ref.Namespace + "/" + ref.Name
		}
		size := pv.Spec.Capacity[corev1.ResourceStorage]
		phase := string(pv.Status.Phase)
		if pv.DeletionTimestamp != nil {
			phase = "Terminating"
		}
		class := pv.Spec.StorageClassName
		if c, ok := pv.Annotations[corev1.BetaStorageClassAnnotation]; ok {
			class = c
		}
		vac, mode := "<unset>", "<unset>"
		if pv.Spec.VolumeAttributesClassName != nil {
			vac = *pv.Spec.VolumeAttributesClassName
		}
		if pv.Spec.VolumeMode != nil {
			mode = string(*pv.Spec.VolumeMode)
		}
		return []any{size.String(), table.AccessModes(pv.Spec.AccessModes), string(pv.Spec.PersistentVolumeReclaimPolicy),
			phase, claim, class, vac, pv.Status.Reason, registry.AgeOf(pv), mode}, nil
	},
}
