package deployment

import (
	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// Validate checks a new Deployment as upstream does.
func Validate(d *appsv1.Deployment) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&d.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSpec(&d.Spec, field.NewPath("spec"), appsvalidation.PodOptions(&d.Spec.Template, nil))...)
}

// ValidateUpdate checks an update: the new spec must be valid and the selector unchanged.
func ValidateUpdate(d, old *appsv1.Deployment) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSpec(&d.Spec, field.NewPath("spec"), appsvalidation.PodOptions(&d.Spec.Template, &old.Spec.Template))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
}

func validateSpec(spec *appsv1.DeploymentSpec, fldPath *field.Path, opts corevalidation.PodValidationOptions) field.ErrorList {
	replicas := appsvalidation.Deref(spec.Replicas)
	errs := apimachineryvalidation.ValidateNonnegativeField(int64(replicas), fldPath.Child("replicas"))
	selector, selErrs := appsvalidation.ValidateSelector(spec.Selector, "deployment", fldPath.Child("selector"))
	errs = append(errs, selErrs...)
	if selector == nil {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "invalid label selector"))
	} else {
		errs = append(errs, appsvalidation.ValidatePodTemplateSpecForReplicaSet(&spec.Template, selector, fldPath.Child("template"), opts)...)
	}
	errs = append(errs, validateStrategy(&spec.Strategy, fldPath.Child("strategy"))...)
	errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	if spec.ProgressDeadlineSeconds != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*spec.ProgressDeadlineSeconds), fldPath.Child("progressDeadlineSeconds"))...)
		if *spec.ProgressDeadlineSeconds <= spec.MinReadySeconds {
			errs = append(errs, field.Invalid(fldPath.Child("progressDeadlineSeconds"), spec.ProgressDeadlineSeconds, "must be greater than minReadySeconds"))
		}
	}
	return errs
}

func validateStrategy(s *appsv1.DeploymentStrategy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Type {
	case appsv1.RecreateDeploymentStrategyType:
		if s.RollingUpdate != nil {
			errs = append(errs, field.Forbidden(fldPath.Child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
		}
	case appsv1.RollingUpdateDeploymentStrategyType:
		if s.RollingUpdate == nil {
			errs = append(errs, field.Required(fldPath.Child("rollingUpdate"), "this should be defaulted and never be nil"))
			break
		}
		path := fldPath.Child("rollingUpdate")
		maxUnavailable := appsvalidation.Deref(s.RollingUpdate.MaxUnavailable)
		maxSurge := appsvalidation.Deref(s.RollingUpdate.MaxSurge)
		errs = append(errs, appsvalidation.ValidatePositiveIntOrPercent(maxUnavailable, path.Child("maxUnavailable"))...)
		errs = append(errs, appsvalidation.ValidatePositiveIntOrPercent(maxSurge, path.Child("maxSurge"))...)
		if appsvalidation.IntOrPercentValue(maxUnavailable) == 0 && appsvalidation.IntOrPercentValue(maxSurge) == 0 {
			errs = append(errs, field.Invalid(path.Child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
		}
		errs = append(errs, appsvalidation.IsNotMoreThan100Percent(maxUnavailable, path.Child("maxUnavailable"))...)
	default:
		errs = append(errs, field.NotSupported(fldPath, s, []string{string(appsv1.RecreateDeploymentStrategyType), string(appsv1.RollingUpdateDeploymentStrategyType)}))
	}
	return errs
}

// ValidateStatusUpdate checks a status write: counts are non-negative and consistent, and the
// collision count never goes down.
func ValidateStatusUpdate(d, old *appsv1.Deployment) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	s := &d.Status
	nonNegative := func(v int64, name string) {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(v, fldPath.Child(name))...)
	}
	nonNegative(s.ObservedGeneration, "observedGeneration")
	nonNegative(int64(s.Replicas), "replicas")
	nonNegative(int64(s.UpdatedReplicas), "updatedReplicas")
	nonNegative(int64(s.ReadyReplicas), "readyReplicas")
	nonNegative(int64(s.AvailableReplicas), "availableReplicas")
	nonNegative(int64(s.UnavailableReplicas), "unavailableReplicas")
	if s.TerminatingReplicas != nil {
		nonNegative(int64(*s.TerminatingReplicas), "terminatingReplicas")
	}
	if s.CollisionCount != nil {
		nonNegative(int64(*s.CollisionCount), "collisionCount")
	}
	const msg = "cannot be greater than status.replicas"
	if s.UpdatedReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("updatedReplicas"), s.UpdatedReplicas, msg))
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
	return append(errs, appsvalidation.ValidateCollisionCountNotDecremented(s.CollisionCount, old.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}
