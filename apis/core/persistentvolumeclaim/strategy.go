package persistentvolumeclaim

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of PersistentVolumeClaims.
var Strategy = strategy{registry.NewStrategy(true, false, "v1")}

func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	pvc := obj.(*corev1.PersistentVolumeClaim)
	prepareDataSources(&pvc.Spec, nil)
}

func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	pvc, oldPVC := obj.(*corev1.PersistentVolumeClaim), old.(*corev1.PersistentVolumeClaim)
	pvc.Status = oldPVC.Status
	prepareDataSources(&pvc.Spec, &oldPVC.Spec)
	normalizeDataSources(&oldPVC.Spec)
}

// prepareDataSources drops cross-namespace data sources (CrossNamespaceVolumeDataSource is
// alpha), drops a dataSource of a kind other than claims and snapshots (unless dataSourceRef
// is used), and mirrors dataSource and dataSourceRef.
func prepareDataSources(spec, old *corev1.PersistentVolumeClaimSpec) {
	if ref := spec.DataSourceRef; ref != nil && ref.Namespace != nil && len(*ref.Namespace) != 0 && (old == nil || old.DataSourceRef == nil) {
		spec.DataSourceRef = nil
	}
	if (old == nil || (old.DataSource == nil && old.DataSourceRef == nil)) && spec.DataSourceRef == nil && !isClaimOrSnapshot(spec.DataSource) {
		spec.DataSource = nil
	}
	normalizeDataSources(spec)
}

func isClaimOrSnapshot(ds *corev1.TypedLocalObjectReference) bool {
	if ds == nil {
		return false
	}
	group := ""
	if ds.APIGroup != nil {
		group = *ds.APIGroup
	}
	return (ds.Kind == "PersistentVolumeClaim" && group == "") || (ds.Kind == "VolumeSnapshot" && group == "snapshot.storage.k8s.io")
}

func normalizeDataSources(spec *corev1.PersistentVolumeClaimSpec) {
	copyGroup := func(g *string) *string {
		if g == nil {
			return nil
		}
		c := *g
		return &c
	}
	if ds := spec.DataSource; ds != nil && spec.DataSourceRef == nil {
		spec.DataSourceRef = &corev1.TypedObjectReference{Kind: ds.Kind, Name: ds.Name, APIGroup: copyGroup(ds.APIGroup)}
	} else if ref := spec.DataSourceRef; ref != nil && spec.DataSource == nil && (ref.Namespace == nil || len(*ref.Namespace) == 0) {
		spec.DataSource = &corev1.TypedLocalObjectReference{Kind: ref.Kind, Name: ref.Name, APIGroup: copyGroup(ref.APIGroup)}
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.PersistentVolumeClaim), ValidationOptions(nil))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	oldPVC := old.(*corev1.PersistentVolumeClaim)
	return ValidateUpdate(obj.(*corev1.PersistentVolumeClaim), oldPVC, ValidationOptions(oldPVC))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return warnings(obj.(*corev1.PersistentVolumeClaim))
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return warnings(obj.(*corev1.PersistentVolumeClaim))
}

func warnings(pvc *corev1.PersistentVolumeClaim) []string {
	var out []string
	if _, ok := pvc.Annotations[corev1.BetaStorageClassAnnotation]; ok {
		out = append(out, fmt.Sprintf("%s: %s", field.NewPath("metadata", "annotations").Key(corev1.BetaStorageClassAnnotation),
			`deprecated since v1.8; use "storageClassName" attribute instead`))
	}
	return append(out, SpecWarnings(field.NewPath("spec"), &pvc.Spec)...)
}

// SpecWarnings warns about fractional storage requests and limits in a claim spec at fldPath
// (also used for StatefulSet claim templates).
func SpecWarnings(fldPath *field.Path, spec *corev1.PersistentVolumeClaimSpec) []string {
	var out []string
	for _, list := range []struct {
		name string
		list corev1.ResourceList
	}{{"requests", spec.Resources.Requests}, {"limits", spec.Resources.Limits}} {
		if value := list.list[corev1.ResourceStorage]; value.MilliValue()%1000 != 0 {
			out = append(out, fmt.Sprintf("%s: fractional byte value %q is invalid, must be an integer",
				fldPath.Child("resources", list.name).Key(string(corev1.ResourceStorage)), value.String()))
		}
	}
	return out
}

type statusStrategy struct {
	strategy
}

// StatusStrategy writes persistentvolumeclaims/status: everything but the spec.
var StatusStrategy = statusStrategy{Strategy}

func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	pvc, oldPVC := obj.(*corev1.PersistentVolumeClaim), old.(*corev1.PersistentVolumeClaim)
	pvc.Spec = oldPVC.Spec
	if oldPVC.Status.HealthStatus == nil {
		pvc.Status.HealthStatus = nil // CSIVolumeHealth is alpha
	}
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*corev1.PersistentVolumeClaim), old.(*corev1.PersistentVolumeClaim))
}

func (statusStrategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
