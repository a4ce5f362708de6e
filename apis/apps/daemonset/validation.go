package daemonset

import (
	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// Validate checks a new DaemonSet as upstream does.
func Validate(ds *appsv1.DaemonSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&ds.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSpec(&ds.Spec, field.NewPath("spec"), appsvalidation.PodOptions(&ds.Spec.Template, nil))...)
}

// ValidateUpdate checks an update: the selector may not change, and the new spec must be
// valid (a selector whose invalid label values were accepted before stays accepted).
func ValidateUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ds.Spec.Selector, old.Spec.Selector, field.NewPath("spec", "selector"))...)
	opts := appsvalidation.PodOptions(&ds.Spec.Template, &old.Spec.Template)
	opts.AllowInvalidLabelValueInSelector = opts.AllowInvalidLabelValueInSelector || metav1validation.LabelSelectorHasInvalidLabelValue(old.Spec.Selector)
	return append(errs, validateSpec(&ds.Spec, field.NewPath("spec"), opts)...)
}

func validateSpec(spec *appsv1.DaemonSetSpec, fldPath *field.Path, opts corevalidation.PodValidationOptions) field.ErrorList {
	errs := metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.AllowInvalidLabelValueInSelector}, fldPath.Child("selector"))
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err == nil && !selector.Matches(labels.Set(spec.Template.Labels)) {
		errs = append(errs, field.Invalid(fldPath.Child("template", "metadata", "labels"), spec.Template.Labels, "`selector` does not match template `labels`"))
	}
	if spec.Selector != nil && len(spec.Selector.MatchLabels)+len(spec.Selector.MatchExpressions) == 0 {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "empty selector is invalid for daemonset"))
	}
	errs = append(errs, corevalidation.ValidatePodTemplateSpec(&spec.Template, fldPath.Child("template"), opts)...)
	errs = append(errs, appsvalidation.ValidateRestartPolicyAlways(&spec.Template, fldPath.Child("template", "spec"), "DaemonSet")...)
	errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	errs = append(errs, validateUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	if spec.RevisionHistoryLimit != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*spec.RevisionHistoryLimit), fldPath.Child("revisionHistoryLimit"))...)
	}
	return errs
}

func validateUpdateStrategy(s *appsv1.DaemonSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	switch s.Type {
	case appsv1.OnDeleteDaemonSetStrategyType:
		return nil
	case appsv1.RollingUpdateDaemonSetStrategyType:
		if s.RollingUpdate == nil {
			return field.ErrorList{field.Required(fldPath.Child("rollingUpdate"), "")}
		}
		path := fldPath.Child("rollingUpdate")
		maxUnavailable := appsvalidation.Deref(s.RollingUpdate.MaxUnavailable)
		maxSurge := appsvalidation.Deref(s.RollingUpdate.MaxSurge)
		errs := appsvalidation.ValidatePositiveIntOrPercent(maxUnavailable, path.Child("maxUnavailable"))
		errs = append(errs, appsvalidation.ValidatePositiveIntOrPercent(maxSurge, path.Child("maxSurge"))...)
		errs = append(errs, appsvalidation.IsNotMoreThan100Percent(maxUnavailable, path.Child("maxUnavailable"))...)
		errs = append(errs, appsvalidation.IsNotMoreThan100Percent(maxSurge, path.Child("maxSurge"))...)
		hasUnavailable := appsvalidation.IntOrPercentValue(maxUnavailable) != 0
		hasSurge := appsvalidation.IntOrPercentValue(maxSurge) != 0
		switch {
		case hasUnavailable && hasSurge:
			errs = append(errs, field.Invalid(path.Child("maxSurge"), maxSurge, "may not be set when maxUnavailable is non-zero"))
		case !hasUnavailable && !hasSurge:
			errs = append(errs, field.Required(path.Child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
		}
		return errs
	}
	return field.ErrorList{field.NotSupported(fldPath, s, []string{string(appsv1.RollingUpdateDaemonSetStrategyType), string(appsv1.OnDeleteDaemonSetStrategyType)})}
}

// ValidateStatusUpdate checks a status write: counts are non-negative and the collision count
// never goes down.
func ValidateStatusUpdate(ds, old *appsv1.DaemonSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ds.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	fldPath := field.NewPath("status")
	s := &ds.Status
	errs = append(errs, appsvalidation.NonNegative(fldPath,
		appsvalidation.Count{Name: "currentNumberScheduled", Value: int64(s.CurrentNumberScheduled)},
		appsvalidation.Count{Name: "numberMisscheduled", Value: int64(s.NumberMisscheduled)},
		appsvalidation.Count{Name: "desiredNumberScheduled", Value: int64(s.DesiredNumberScheduled)},
		appsvalidation.Count{Name: "numberReady", Value: int64(s.NumberReady)},
		appsvalidation.Count{Name: "observedGeneration", Value: s.ObservedGeneration},
		appsvalidation.Count{Name: "updatedNumberScheduled", Value: int64(s.UpdatedNumberScheduled)},
		appsvalidation.Count{Name: "numberAvailable", Value: int64(s.NumberAvailable)},
		appsvalidation.Count{Name: "numberUnavailable", Value: int64(s.NumberUnavailable)})...)
	if s.CollisionCount != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*s.CollisionCount), fldPath.Child("collisionCount"))...)
	}
	return append(errs, appsvalidation.ValidateCollisionCountNotDecremented(s.CollisionCount, old.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}
