package namespace

import (
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
)

// Validate checks a Namespace: metadata (a DNS label name, no namespace) and finalizer names.
func Validate(ns *corev1.Namespace) field.ErrorList {
	errs := validate.ObjectMeta(&ns.ObjectMeta, false, apimachineryvalidation.ValidateNamespaceName, field.NewPath("metadata"))
	for i := range ns.Spec.Finalizers {
		errs = append(errs, validate.FinalizerName(string(ns.Spec.Finalizers[i]), field.NewPath("spec", "finalizers"))...)
	}
	return errs
}

// ValidateUpdate checks a Namespace update.
func ValidateUpdate(ns, old *corev1.Namespace) field.ErrorList {
	return append(Validate(ns), validate.ObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
}

// ValidateStatusUpdate requires the phase to match the deletion state.
func ValidateStatusUpdate(ns, old *corev1.Namespace) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if ns.DeletionTimestamp.IsZero() {
		if ns.Status.Phase != corev1.NamespaceActive {
			errs = append(errs, field.Invalid(field.NewPath("status", "Phase"), ns.Status.Phase, "may only be 'Active' if `deletionTimestamp` is empty"))
		}
	} else if ns.Status.Phase != corev1.NamespaceTerminating {
		errs = append(errs, field.Invalid(field.NewPath("status", "Phase"), ns.Status.Phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"))
	}
	return errs
}

// ValidateFinalizeUpdate checks the finalizer names a finalize request sets.
func ValidateFinalizeUpdate(ns, old *corev1.Namespace) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&ns.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	for i := range ns.Spec.Finalizers {
		errs = append(errs, validate.FinalizerName(string(ns.Spec.Finalizers[i]), field.NewPath("spec", "finalizers").Index(i))...)
	}
	return errs
}
