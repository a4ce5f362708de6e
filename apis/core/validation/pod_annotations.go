package validation

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ValidatePodSpecificAnnotations checks the annotations that carry pod settings: mirror pods,
// tolerations, deletion cost, seccomp and AppArmor.
func ValidatePodSpecificAnnotations(annotations map[string]string, spec *corev1.PodSpec, fldPath *field.Path, opts PodValidationOptions) field.ErrorList {
	var allErrs field.ErrorList
	if value, isMirror := annotations[corev1.MirrorPodAnnotationKey]; isMirror && len(spec.NodeName) == 0 {
		allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.MirrorPodAnnotationKey), value, "must set spec.nodeName if mirror pod annotation is set"))
	}
	if annotations[corev1.TolerationsAnnotationKey] != "" {
		var tolerations []corev1.Toleration
		if err := jsonUnmarshal(annotations[corev1.TolerationsAnnotationKey], &tolerations); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath, corev1.TolerationsAnnotationKey, err.Error()))
		} else if len(tolerations) > 0 {
			allErrs = append(allErrs, ValidateTolerations(tolerations, fldPath.Child(corev1.TolerationsAnnotationKey), opts)...)
		}
	}
	if !opts.AllowInvalidPodDeletionCost {
		if _, err := deletionCost(annotations); err != nil {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(corev1.PodDeletionCost), annotations[corev1.PodDeletionCost], "must be a 32bit integer"))
		}
	}
	if p, ok := annotations[corev1.SeccompPodAnnotationKey]; ok {
		allErrs = append(allErrs, validateSeccompProfileAnnotation(p, fldPath.Child(corev1.SeccompPodAnnotationKey))...)
	}
	for k, p := range annotations {
		if strings.HasPrefix(k, corev1.SeccompContainerAnnotationKeyPrefix) {
			allErrs = append(allErrs, validateSeccompProfileAnnotation(p, fldPath.Child(k))...)
		}
	}
	for k, p := range annotations {
		if !strings.HasPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix) {
			continue
		}
		name := strings.TrimPrefix(k, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix)
		found := false
		visitContainers(spec, nil, func(c *corev1.Container, _ *field.Path) { found = found || c.Name == name })
		if !found {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), name, "container not found"))
		}
		if p != "" && p != corev1.DeprecatedAppArmorBetaProfileRuntimeDefault && p != corev1.DeprecatedAppArmorBetaProfileNameUnconfined &&
			!strings.HasPrefix(p, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
			allErrs = append(allErrs, field.Invalid(fldPath.Key(k), p, fmt.Sprintf("invalid AppArmor profile name: %q", p)))
		}
	}
	return allErrs
}

// deletionCost parses the pod-deletion-cost annotation as upstream does: no "+" and no
// leading zeros.
func deletionCost(annotations map[string]string) (int32, error) {
	value, ok := annotations[corev1.PodDeletionCost]
	if !ok {
		return 0, nil
	}
	if len(value) == 0 || !(value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9')) {
		return 0, fmt.Errorf("invalid value %q", value)
	}
	i, err := strconv.ParseInt(value, 10, 32)
	return int32(i), err
}

func validateSeccompProfileAnnotation(p string, fldPath *field.Path) field.ErrorList {
	switch {
	case p == corev1.SeccompProfileRuntimeDefault, p == corev1.DeprecatedSeccompProfileDockerDefault, p == corev1.SeccompProfileNameUnconfined:
		return nil
	case strings.HasPrefix(p, corev1.SeccompLocalhostProfileNamePrefix):
		return validateLocalDescendingPath(strings.TrimPrefix(p, corev1.SeccompLocalhostProfileNamePrefix), fldPath)
	}
	return field.ErrorList{field.Invalid(fldPath, p, "must be a valid seccomp profile")}
}

// validateSeccompAnnotationsAndFields requires the deprecated seccomp annotations to agree with
// the seccompProfile fields where both are set.
func validateSeccompAnnotationsAndFields(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	if spec.SecurityContext != nil && spec.SecurityContext.SeccompProfile != nil {
		if a, ok := meta.Annotations[corev1.SeccompPodAnnotationKey]; ok {
			if err := seccompAnnotationMatchesField(a, spec.SecurityContext.SeccompProfile, specPath.Child("securityContext", "seccompProfile")); err != nil {
				allErrs = append(allErrs, err)
			}
		}
	}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		if c.SecurityContext == nil || c.SecurityContext.SeccompProfile == nil {
			return
		}
		if a, ok := meta.Annotations[corev1.SeccompContainerAnnotationKeyPrefix+c.Name]; ok {
			if err := seccompAnnotationMatchesField(a, c.SecurityContext.SeccompProfile, p.Child("securityContext", "seccompProfile")); err != nil {
				allErrs = append(allErrs, err)
			}
		}
	})
	return allErrs
}

func seccompAnnotationMatchesField(annotation string, sp *corev1.SeccompProfile, fldPath *field.Path) *field.Error {
	mismatch := field.Forbidden(fldPath.Child("type"), "seccomp type in annotation and field must match")
	switch sp.Type {
	case corev1.SeccompProfileTypeUnconfined:
		if annotation != corev1.SeccompProfileNameUnconfined {
			return mismatch
		}
	case corev1.SeccompProfileTypeRuntimeDefault:
		if annotation != corev1.SeccompProfileRuntimeDefault && annotation != corev1.DeprecatedSeccompProfileDockerDefault {
			return mismatch
		}
	case corev1.SeccompProfileTypeLocalhost:
		if !strings.HasPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) {
			return mismatch
		}
		if sp.LocalhostProfile == nil || strings.TrimPrefix(annotation, corev1.SeccompLocalhostProfileNamePrefix) != *sp.LocalhostProfile {
			return field.Forbidden(fldPath.Child("localhostProfile"), "seccomp profile in annotation and field must match")
		}
	}
	return nil
}

func validateAppArmorAnnotationsAndFieldsMatch(meta metav1.ObjectMeta, spec *corev1.PodSpec, specPath *field.Path) field.ErrorList {
	if spec.OS != nil && spec.OS.Name == corev1.Windows {
		return nil
	}
	var allErrs field.ErrorList
	var podProfile *corev1.AppArmorProfile
	if spec.SecurityContext != nil {
		podProfile = spec.SecurityContext.AppArmorProfile
	}
	visitContainers(spec, specPath, func(c *corev1.Container, p *field.Path) {
		profile := podProfile
		if c.SecurityContext != nil && c.SecurityContext.AppArmorProfile != nil {
			profile = c.SecurityContext.AppArmorProfile
		}
		if profile == nil {
			return
		}
		annotation, ok := meta.Annotations[appArmorAnnotationKeyPrefix+c.Name]
		if !ok {
			return
		}
		ap := p.Child("securityContext", "appArmorProfile")
		mismatch := field.Forbidden(ap.Child("type"), "apparmor type in annotation and field must match")
		switch profile.Type {
		case corev1.AppArmorProfileTypeUnconfined:
			if annotation != appArmorAnnotationValueUnconfined {
				allErrs = append(allErrs, mismatch)
			}
		case corev1.AppArmorProfileTypeRuntimeDefault:
			if annotation != appArmorAnnotationValueRuntimeDflt {
				allErrs = append(allErrs, mismatch)
			}
		case corev1.AppArmorProfileTypeLocalhost:
			if !strings.HasPrefix(annotation, appArmorAnnotationValueLocalhostPfx) {
				allErrs = append(allErrs, mismatch)
			} else if profile.LocalhostProfile == nil || strings.TrimPrefix(annotation, appArmorAnnotationValueLocalhostPfx) != *profile.LocalhostProfile {
				allErrs = append(allErrs, field.Forbidden(ap.Child("localhostProfile"), "apparmor profile in annotation and field must match"))
			}
		}
	})
	return allErrs
}
