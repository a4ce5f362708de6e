package validation

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// PodValidationOptions selects the optional rules upstream applies depending on context.
type PodValidationOptions struct {
	// ResourceIsPod is true when validating a Pod itself rather than a template.
	ResourceIsPod bool
}

// ValidatePodTemplateSpec validates a pod template embedded in a workload (Deployment, Job ...).
func ValidatePodTemplateSpec(spec *corev1.PodTemplateSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	return nil // TODO(core-pods helper): implement
}

// ValidatePodSpec validates a pod spec.
func ValidatePodSpec(spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	return nil // TODO(core-pods helper): implement
}
