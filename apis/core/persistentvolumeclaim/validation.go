package persistentvolumeclaim

import (
	"fmt"
	"reflect"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
	"github.com/skiff-sh/skiff/apis/core/persistentvolume"
)

var (
	supportedVolumeModes = sets.New(corev1.PersistentVolumeBlock, corev1.PersistentVolumeFilesystem)
	resizeStatuses       = sets.New(corev1.PersistentVolumeClaimControllerResizeInProgress, corev1.PersistentVolumeClaimControllerResizeInfeasible,
		corev1.PersistentVolumeClaimNodeResizePending, corev1.PersistentVolumeClaimNodeResizeInProgress, corev1.PersistentVolumeClaimNodeResizeInfeasible)
)

// SpecValidationOptions select the lenient rules kept for objects stored before stricter ones.
type SpecValidationOptions struct {
	// AllowInvalidLabelValueInSelector accepts selector label values the stored claim had.
	AllowInvalidLabelValueInSelector bool
	// AllowInvalidAPIGroupInDataSourceOrRef accepts data source API groups the stored claim had.
	AllowInvalidAPIGroupInDataSourceOrRef bool
}

// ValidationOptions returns the options for validating a claim, given the stored old (nil on
// create).
func ValidationOptions(old *corev1.PersistentVolumeClaim) SpecValidationOptions {
	var opts SpecValidationOptions
	if old == nil {
		return opts
	}
	opts.AllowInvalidAPIGroupInDataSourceOrRef = (old.Spec.DataSource != nil && old.Spec.DataSource.APIGroup != nil) ||
		(old.Spec.DataSourceRef != nil && old.Spec.DataSourceRef.APIGroup != nil)
	if len(metavalidation.ValidateLabelSelector(old.Spec.Selector, metavalidation.LabelSelectorValidationOptions{}, nil)) > 0 {
		opts.AllowInvalidLabelValueInSelector = true
	}
	return opts
}

// Validate checks a PersistentVolumeClaim.
func Validate(pvc *corev1.PersistentVolumeClaim, opts SpecValidationOptions) field.ErrorList {
	errs := validate.ObjectMeta(&pvc.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, ValidateSpec(&pvc.Spec, field.NewPath("spec"), opts)...)
}

// ValidateSpec checks a PersistentVolumeClaimSpec.
func ValidateSpec(spec *corev1.PersistentVolumeClaimSpec, fldPath *field.Path, opts SpecValidationOptions) field.ErrorList {
	var errs field.ErrorList
	if len(spec.AccessModes) == 0 {
		errs = append(errs, field.Required(fldPath.Child("accessModes"), "at least 1 access mode is required"))
	}
	if spec.Selector != nil {
		errs = append(errs, metavalidation.ValidateLabelSelector(spec.Selector,
			metavalidation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.AllowInvalidLabelValueInSelector}, fldPath.Child("selector"))...)
	}
	errs = append(errs, persistentvolume.ValidateAccessModes(spec.AccessModes, fldPath.Child("accessModes"))...)

	storagePath := fldPath.Child("resources").Key(string(corev1.ResourceStorage))
	if value, ok := spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		errs = append(errs, field.Required(storagePath, ""))
	} else if posErrs := validate.PositiveQuantity(value, storagePath); len(posErrs) > 0 {
		errs = append(errs, posErrs...)
	} else {
		errs = append(errs, corevalidation.ValidateResourceQuantityValue(corev1.ResourceStorage, value, storagePath)...)
	}

	if spec.StorageClassName != nil && len(*spec.StorageClassName) > 0 {
		errs = append(errs, validate.Name(*spec.StorageClassName, apimachineryvalidation.NameIsDNSSubdomain, fldPath.Child("storageClassName"))...)
	}
	if spec.VolumeMode != nil && !supportedVolumeModes.Has(*spec.VolumeMode) {
		errs = append(errs, field.NotSupported(fldPath.Child("volumeMode"), *spec.VolumeMode, sets.List(supportedVolumeModes)))
	}
	if ds := spec.DataSource; ds != nil {
		errs = append(errs, validateDataSource(ds.Name, ds.Kind, ds.APIGroup, fldPath.Child("dataSource"), opts)...)
	}
	if ref := spec.DataSourceRef; ref != nil {
		errs = append(errs, validateDataSource(ref.Name, ref.Kind, ref.APIGroup, fldPath.Child("dataSourceRef"), opts)...)
		if ref.Namespace != nil && len(*ref.Namespace) > 0 {
			errs = append(errs, validate.Name(*ref.Namespace, apimachineryvalidation.ValidateNamespaceName, fldPath.Child("dataSourceRef").Child("namespace"))...)
		}
	}
	if ref := spec.DataSourceRef; ref != nil && ref.Namespace != nil && len(*ref.Namespace) > 0 {
		if spec.DataSource != nil {
			errs = append(errs, field.Invalid(fldPath, fldPath.Child("dataSource"), "may not be specified when dataSourceRef.namespace is specified"))
		}
	} else if spec.DataSource != nil && spec.DataSourceRef != nil {
		ds, ref := spec.DataSource, spec.DataSourceRef
		if !reflect.DeepEqual(ds.APIGroup, ref.APIGroup) || ds.Kind != ref.Kind || ds.Name != ref.Name {
			errs = append(errs, field.Invalid(fldPath, fldPath.Child("dataSource"), "must match dataSourceRef"))
		}
	}
	if vac := spec.VolumeAttributesClassName; vac != nil && len(*vac) > 0 {
		errs = append(errs, validate.Name(*vac, apimachineryvalidation.NameIsDNSSubdomain, fldPath.Child("volumeAttributesClassName"))...)
	}
	return errs
}

func validateDataSource(name, kind string, apiGroup *string, fldPath *field.Path, opts SpecValidationOptions) field.ErrorList {
	var errs field.ErrorList
	if len(name) == 0 {
		errs = append(errs, field.Required(fldPath.Child("name"), ""))
	}
	if len(kind) == 0 {
		errs = append(errs, field.Required(fldPath.Child("kind"), ""))
	}
	group := ""
	if apiGroup != nil {
		group = *apiGroup
	}
	if len(group) == 0 && kind != "PersistentVolumeClaim" {
		errs = append(errs, field.Invalid(fldPath, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"))
	}
	if len(group) > 0 && !opts.AllowInvalidAPIGroupInDataSourceOrRef {
		for _, msg := range validation.IsDNS1123Subdomain(group) {
			errs = append(errs, field.Invalid(fldPath.Child("apiGroup"), group, msg))
		}
	}
	return errs
}

// ValidateUpdate holds the spec fixed except for growing the storage request (and, while
// unbound, volumeAttributesClassName), binding volumeName once, and moving the storage class
// from the beta annotation to the field.
func ValidateUpdate(pvc, old *corev1.PersistentVolumeClaim, opts SpecValidationOptions) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&pvc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, Validate(pvc, opts)...)
	newClone, oldClone := pvc.DeepCopy(), old.DeepCopy()

	if len(old.Spec.VolumeName) == 0 {
		oldClone.Spec.VolumeName = newClone.Spec.VolumeName // bound once
	}
	if upgradeFromAnnotation(oldClone.Annotations, newClone.Annotations, oldClone.Spec.StorageClassName, newClone.Spec.StorageClassName) {
		newClone.Spec.StorageClassName = nil
		metav1.SetMetaDataAnnotation(&newClone.ObjectMeta, corev1.BetaStorageClassAnnotation, oldClone.Annotations[corev1.BetaStorageClassAnnotation])
	} else {
		if pvc.Annotations[corev1.BetaStorageClassAnnotation] != old.Annotations[corev1.BetaStorageClassAnnotation] {
			errs = append(errs, field.Invalid(field.NewPath("metadata").Child("annotations", corev1.BetaStorageClassAnnotation),
				pvc.Annotations[corev1.BetaStorageClassAnnotation], apimachineryvalidation.FieldImmutableErrorMsg))
		}
		if upgradeFromNil(old.Annotations, old.Spec.StorageClassName, pvc.Spec.StorageClassName) {
			newClone.Spec.StorageClassName = oldClone.Spec.StorageClassName
		}
	}
	if pvc.Status.Phase == corev1.ClaimBound && newClone.Spec.Resources.Requests != nil {
		newClone.Spec.Resources.Requests[corev1.ResourceStorage] = old.Spec.Resources.Requests[corev1.ResourceStorage]
	}
	if pvc.Status.Phase == corev1.ClaimBound {
		newClone.Spec.VolumeAttributesClassName = oldClone.Spec.VolumeAttributesClassName
	}
	if !apiequality.Semantic.DeepEqual(newClone.Spec, oldClone.Spec) {
		errs = append(errs, field.Forbidden(field.NewPath("spec"), fmt.Sprintf("spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n%v", diff.Diff(oldClone.Spec, newClone.Spec))))
	}
	oldSize, newSize := old.Spec.Resources.Requests[corev1.ResourceStorage], pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	// RecoverVolumeExpansionFailure is GA: a request may shrink back to what was provisioned.
	if statusSize := old.Status.Capacity[corev1.ResourceStorage]; newSize.Cmp(oldSize) < 0 && newSize.Cmp(statusSize) <= 0 {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "resources", "requests", "storage"), "field can not be less than status.capacity"))
	}
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(pvc.Spec.VolumeMode, old.Spec.VolumeMode, field.NewPath("volumeMode"))...)
	if !apiequality.Semantic.DeepEqual(old.Spec.VolumeAttributesClassName, pvc.Spec.VolumeAttributesClassName) && old.Status.CurrentVolumeAttributesClassName != nil {
		if pvc.Spec.VolumeAttributesClassName == nil {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update to nil is forbidden when status.currentVolumeAttributesClassName is not nil"))
		} else if len(*pvc.Spec.VolumeAttributesClassName) == 0 {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "volumeAttributesClassName"), "update to empty string is forbidden when status.currentVolumeAttributesClassName is not nil"))
		}
	}
	return errs
}

// upgradeFromAnnotation: the storage class may move from the beta annotation to the field.
func upgradeFromAnnotation(oldAnnotations, newAnnotations map[string]string, oldName, newName *string) bool {
	oldClass, oldHas := oldAnnotations[corev1.BetaStorageClassAnnotation]
	newClass, newHas := newAnnotations[corev1.BetaStorageClassAnnotation]
	return oldHas && oldName == nil && newName != nil && *newName == oldClass && (!newHas || newClass == oldClass)
}

// upgradeFromNil: a claim without storage class may get one (matching its annotation, if any).
func upgradeFromNil(oldAnnotations map[string]string, oldName, newName *string) bool {
	oldClass, oldHas := oldAnnotations[corev1.BetaStorageClassAnnotation]
	return newName != nil && oldName == nil && (!oldHas || *newName == oldClass)
}

// ValidateStatusUpdate checks a status write.
func ValidateStatusUpdate(pvc, old *corev1.PersistentVolumeClaim) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&pvc.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if len(pvc.ResourceVersion) == 0 {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	if len(pvc.Spec.AccessModes) == 0 {
		errs = append(errs, field.Required(field.NewPath("Spec", "accessModes"), ""))
	}
	for r, qty := range pvc.Status.Capacity {
		errs = append(errs, validate.BasicResource(qty, field.NewPath("status", "capacity").Key(string(r)))...)
	}
	if hs := pvc.Status.HealthStatus; hs != nil {
		for i, c := range hs.HealthConditions {
			if len(c.Reason) > 0 {
				for _, msg := range metavalidation.IsValidConditionReason(c.Reason) {
					errs = append(errs, field.Invalid(field.NewPath("status", "healthStatus", "healthConditions").Index(i).Child("reason"), c.Reason, msg))
				}
			}
		}
	}
	statusesPath := field.NewPath("status", "allocatedResourceStatuses")
	for k, v := range pvc.Status.AllocatedResourceStatuses {
		errs = append(errs, validateResourceKey(k.String(), statusesPath)...)
		if !resizeStatuses.Has(v) {
			errs = append(errs, field.NotSupported(statusesPath, k, sets.List(resizeStatuses)))
		}
	}
	allocPath := field.NewPath("status", "allocatedResources")
	for r, qty := range pvc.Status.AllocatedResources {
		if keyErrs := validateResourceKey(r.String(), allocPath); len(keyErrs) > 0 {
			errs = append(errs, keyErrs...)
			continue
		}
		if basic := validate.BasicResource(qty, allocPath.Key(string(r))); len(basic) > 0 {
			errs = append(errs, basic...)
		} else {
			errs = append(errs, corevalidation.ValidateResourceQuantityValue(corev1.ResourceStorage, qty, allocPath.Key(string(r)))...)
		}
	}
	return errs
}

func validateResourceKey(value string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(value) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	if len(errs) == 0 && validate.IsNativeResource(corev1.ResourceName(value)) && corev1.ResourceName(value) != corev1.ResourceStorage {
		errs = append(errs, field.NotSupported(fldPath, value, []corev1.ResourceName{corev1.ResourceStorage}))
	}
	return errs
}
