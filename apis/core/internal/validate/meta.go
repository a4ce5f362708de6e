package validate

import (
	"strings"

	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// standardFinalizers are the finalizer names that need no domain.
var standardFinalizers = sets.New("kubernetes", metav1.FinalizerOrphanDependents, metav1.FinalizerDeleteDependents)

// ObjectMeta validates metadata on create as core/v1 kinds do: apimachinery's checks plus the
// legacy rule that an unqualified finalizer name must be a standard one.
func ObjectMeta(meta *metav1.ObjectMeta, namespaced bool, nameFn apimachineryvalidation.ValidateNameFunc, fldPath *field.Path) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(meta, namespaced, nameFn, fldPath)
	for i := range meta.Finalizers {
		errs = append(errs, KubeFinalizerName(meta.Finalizers[i], fldPath.Child("finalizers").Index(i))...)
	}
	return errs
}

// ObjectMetaUpdate validates a metadata change.
func ObjectMetaUpdate(meta, old *metav1.ObjectMeta, fldPath *field.Path) field.ErrorList {
	return apimachineryvalidation.ValidateObjectMetaUpdate(meta, old, fldPath)
}

// KubeFinalizerName rejects an unqualified finalizer name that is not a standard one.
func KubeFinalizerName(name string, fldPath *field.Path) field.ErrorList {
	if !strings.Contains(name, "/") && !standardFinalizers.Has(name) {
		return field.ErrorList{field.Invalid(fldPath, name, "name is neither a standard finalizer name nor is it fully qualified")}
	}
	return nil
}

// FinalizerName validates a finalizer name fully.
func FinalizerName(name string, fldPath *field.Path) field.ErrorList {
	return append(apimachineryvalidation.ValidateFinalizerName(name, fldPath), KubeFinalizerName(name, fldPath)...)
}
