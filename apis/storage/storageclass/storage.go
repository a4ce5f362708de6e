package storageclass

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the storageclasses resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource:   storagev1.Resource("storageclasses"),
		Singular:   "storageclass",
		New:        func() runtime.Object { return &storagev1.StorageClass{} },
		NewList:    func() runtime.Object { return &storagev1.StorageClassList{} },
		Strategy:   Strategy,
		ShortNames: []string{"sc"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	return registry.Resources{"storageclasses": store}, nil
}

// Table prints StorageClasses as upstream does. In a list the effective default class (the
// newest one annotated as default) gets " (default)" after its name; a single object never
// does, as upstream prints it.
var Table rest.TableConvertor = table{registry.Table{
	Columns: []metav1.TableColumnDefinition{
		{Name: "Provisioner", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["provisioner"]},
		{Name: "ReclaimPolicy", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["reclaimPolicy"]},
		{Name: "VolumeBindingMode", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["volumeBindingMode"]},
		{Name: "AllowVolumeExpansion", Type: "string", Description: storagev1.StorageClass{}.SwaggerDoc()["allowVolumeExpansion"]},
		registry.AgeColumn,
	},
	Row: func(obj runtime.Object) ([]any, error) {
		sc := obj.(*storagev1.StorageClass)
		reclaim := string(corev1.PersistentVolumeReclaimDelete)
		if sc.ReclaimPolicy != nil {
			reclaim = string(*sc.ReclaimPolicy)
		}
		binding := string(storagev1.VolumeBindingImmediate)
		if sc.VolumeBindingMode != nil {
			binding = string(*sc.VolumeBindingMode)
		}
		expansion := sc.AllowVolumeExpansion != nil && *sc.AllowVolumeExpansion
		return []any{sc.Provisioner, reclaim, binding, expansion, registry.AgeOf(sc)}, nil
	},
}}

type table struct {
	registry.Table
}

func (t table) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	tbl, err := t.Table.ConvertToTable(ctx, object, tableOptions)
	if err != nil {
		return nil, err
	}
	list, ok := object.(*storagev1.StorageClassList)
	if !ok {
		return tbl, nil
	}
	if def := effectiveDefault(list.Items); def != "" {
		for i := range tbl.Rows {
			if tbl.Rows[i].Cells[0] == def {
				tbl.Rows[i].Cells[0] = def + " (default)"
			}
		}
	}
	return tbl, nil
}

const (
	isDefaultAnnotation     = "storageclass.kubernetes.io/is-default-class"
	betaIsDefaultAnnotation = "storageclass.beta.kubernetes.io/is-default-class"
)

// IsDefault reports whether sc carries the (GA or beta) default class annotation.
func IsDefault(sc *storagev1.StorageClass) bool {
	return sc.Annotations[isDefaultAnnotation] == "true" ||
		sc.Annotations[betaIsDefaultAnnotation] == "true"
}

// effectiveDefault returns the name of the newest default class (by name on a tie), "" if none.
func effectiveDefault(items []storagev1.StorageClass) string {
	var def *storagev1.StorageClass
	for i := range items {
		sc := &items[i]
		if !IsDefault(sc) {
			continue
		}
		switch {
		case def == nil, sc.CreationTimestamp.After(def.CreationTimestamp.Time):
			def = sc
		case sc.CreationTimestamp.Equal(&def.CreationTimestamp) && sc.Name < def.Name:
			def = sc
		}
	}
	if def == nil {
		return ""
	}
	return def.Name
}
