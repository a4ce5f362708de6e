package replicaset

import (
	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// Validate checks a new ReplicaSet as upstream does.
func Validate(rs *appsv1.ReplicaSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&rs.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSpec(&rs.Spec, field.NewPath("spec"), appsvalidation.PodOptions(&rs.Spec.Template, nil))...)
}

// ValidateUpdate checks an update: the new spec must be valid and the selector unchanged.
func ValidateUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSpec(&rs.Spec, field.NewPath("spec"), appsvalidation.PodOptions(&rs.Spec.Template, &old.Spec.Template))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(rs.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateSpec(spec *appsv1.ReplicaSetSpec, fldPath *field.Path, opts corevalidation.PodValidationOptions) field.ErrorList {
	errs := apimachineryvalidation.ValidateNonnegativeField(int64(appsvalidation.Deref(spec.Replicas)), fldPath.Child("replicas"))
	errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	// Upstream names deployments in the empty-selector message of ReplicaSets too.
	selector, selErrs := appsvalidation.ValidateSelector(spec.Selector, "deployment", fldPath.Child("selector"))
	errs = append(errs, selErrs...)
	if selector == nil {
		return append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "invalid label selector"))
	}
	return append(errs, appsvalidation.ValidatePodTemplateSpecForReplicaSet(&spec.Template, selector, fldPath.Child("template"), opts)...)
}

// ValidateStatusUpdate checks a status write: counts are non-negative and consistent.
func ValidateStatusUpdate(rs, old *appsv1.ReplicaSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&rs.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	s := &rs.Status
	errs = append(errs, appsvalidation.NonNegative(fldPath,
		appsvalidation.Count{Name: "replicas", Value: int64(s.Replicas)},
		appsvalidation.Count{Name: "fullyLabeledReplicas", Value: int64(s.FullyLabeledReplicas)},
		appsvalidation.Count{Name: "readyReplicas", Value: int64(s.ReadyReplicas)},
		appsvalidation.Count{Name: "availableReplicas", Value: int64(s.AvailableReplicas)},
		appsvalidation.Count{Name: "observedGeneration", Value: s.ObservedGeneration})...)
	if s.TerminatingReplicas != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*s.TerminatingReplicas), fldPath.Child("terminatingReplicas"))...)
	}
	const msg = "cannot be greater than status.replicas"
	if s.FullyLabeledReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("fullyLabeledReplicas"), s.FullyLabeledReplicas, msg))
	}
	if s.ReadyReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("readyReplicas"), s.ReadyReplicas, msg))
	}
	if s.AvailableReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("availableReplicas"), s.AvailableReplicas, msg))
	}
	if s.AvailableReplicas > s.ReadyReplicas {
		errs = append(errs, field.Invalid(fldPath.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than readyReplicas"))
	}
	return errs
}
