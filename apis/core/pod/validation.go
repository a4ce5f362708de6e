package pod

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

func options(pod, old *corev1.Pod) corevalidation.PodValidationOptions {
	var opts corevalidation.PodValidationOptions
	if old == nil {
		opts = corevalidation.OptionsForPodSpecs(&pod.Spec, nil, nil)
	} else {
		opts = corevalidation.OptionsForPodSpecs(&pod.Spec, &old.Spec, &old.ObjectMeta)
	}
	opts.ResourceIsPod = true
	return opts
}

// Validate checks a new pod as upstream does.
func Validate(pod *corev1.Pod) field.ErrorList {
	return corevalidation.ValidatePodCreate(pod, options(pod, nil))
}

// ValidateUpdate checks an update of a pod: its spec is immutable but for a few fields.
func ValidateUpdate(pod, old *corev1.Pod) field.ErrorList {
	return corevalidation.ValidatePodUpdate(pod, old, options(pod, old))
}

// ValidateStatusUpdate checks a write to pods/status.
func ValidateStatusUpdate(pod, old *corev1.Pod) field.ErrorList {
	return corevalidation.ValidatePodStatusUpdate(pod, old, options(pod, old))
}

// ValidateEphemeralContainersUpdate checks a write to pods/ephemeralcontainers.
func ValidateEphemeralContainersUpdate(pod, old *corev1.Pod) field.ErrorList {
	return corevalidation.ValidatePodEphemeralContainersUpdate(pod, old, options(pod, old))
}
