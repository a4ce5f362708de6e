package validation

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/diff"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// ValidatePodStatusUpdate validates a write to pods/status.
func ValidatePodStatusUpdate(newPod, oldPod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.Child("annotations"), opts)...)

	statusPath := field.NewPath("status")
	allErrs = append(allErrs, validatePodConditions(newPod.Status.Conditions, statusPath.Child("conditions"))...)
	if newPod.Spec.NodeName != oldPod.Spec.NodeName {
		allErrs = append(allErrs, field.Forbidden(statusPath.Child("nodeName"), "may not be changed directly"))
	}
	if nn := newPod.Status.NominatedNodeName; nn != oldPod.Status.NominatedNodeName && len(nn) > 0 {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(nn, false) {
			allErrs = append(allErrs, field.Invalid(statusPath.Child("nominatedNodeName"), nn, msg))
		}
		if oldPod.Spec.NodeName != "" {
			allErrs = append(allErrs, field.Forbidden(statusPath.Child("nominatedNodeName"), "may not be set on pods that are already bound to a node"))
		}
	}
	if newPod.Status.ObservedGeneration < 0 {
		allErrs = append(allErrs, field.Invalid(statusPath.Child("observedGeneration"), newPod.Status.ObservedGeneration, "must be a non-negative integer"))
	}
	allErrs = append(allErrs, apimachineryvalidation.ValidateImmutableField(newPod.Status.QOSClass, oldPod.Status.QOSClass, statusPath.Child("qosClass"))...)
	allErrs = append(allErrs, validateContainerStateTransition(newPod.Status.ContainerStatuses, oldPod.Status.ContainerStatuses, statusPath.Child("containerStatuses"), &oldPod.Spec)...)
	allErrs = append(allErrs, validatePodIPs(newPod, oldPod)...)
	allErrs = append(allErrs, validateHostIPs(newPod, oldPod)...)
	return allErrs
}

func validatePodConditions(conditions []corev1.PodCondition, fldPath *field.Path) field.ErrorList {
	var allErrs field.ErrorList
	system := sets.New(corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized)
	for i, c := range conditions {
		if c.ObservedGeneration < 0 {
			allErrs = append(allErrs, field.Invalid(fldPath.Index(i).Child("observedGeneration"), c.ObservedGeneration, "must be a non-negative integer"))
		}
		if system.Has(c.Type) {
			continue
		}
		allErrs = append(allErrs, validateQualifiedName(string(c.Type), fldPath.Index(i).Child("Type"))...)
	}
	return allErrs
}

// validateContainerStateTransition forbids terminated containers from leaving the terminated
// state unless their restart policy (container rules, container policy, then pod policy) would
// restart them, as upstream does with ContainerRestartRules and RestartAllContainers enabled.
func validateContainerStateTransition(newStatuses, oldStatuses []corev1.ContainerStatus, fldPath *field.Path, spec *corev1.PodSpec) field.ErrorList {
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			for _, r := range c.RestartPolicyRules {
				if r.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return nil
				}
			}
		}
	}
	var allErrs field.ErrorList
	for i, old := range oldStatuses {
		if old.State.Terminated == nil {
			continue
		}
		for _, s := range newStatuses {
			if s.Name != old.Name || s.State.Terminated != nil {
				continue
			}
			allowed := false
			for _, c := range spec.Containers {
				if c.Name == old.Name {
					allowed = containerShouldRestart(&c, spec.RestartPolicy, old.State.Terminated.ExitCode)
					break
				}
			}
			if !allowed {
				allErrs = append(allErrs, field.Forbidden(fldPath.Index(i).Child("state"), "may not be transitioned to non-terminated state"))
			}
			break
		}
	}
	return allErrs
}

func containerShouldRestart(c *corev1.Container, podPolicy corev1.RestartPolicy, exitCode int32) bool {
	if c.RestartPolicy != nil {
		for _, r := range c.RestartPolicyRules {
			if r.ExitCodes == nil {
				continue
			}
			matched := false
			for _, v := range r.ExitCodes.Values {
				matched = matched || v == exitCode
			}
			if (r.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpIn && matched) ||
				(r.ExitCodes.Operator == corev1.ContainerRestartRuleOnExitCodesOpNotIn && !matched) {
				if r.Action == corev1.ContainerRestartRuleActionRestart || r.Action == corev1.ContainerRestartRuleActionRestartAllContainers {
					return true
				}
				break
			}
		}
		switch *c.RestartPolicy {
		case corev1.ContainerRestartPolicyAlways:
			return true
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
	}
	switch podPolicy {
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	case corev1.RestartPolicyNever:
		return false
	}
	return true
}

func validatePodIPs(pod, oldPod *corev1.Pod) field.ErrorList {
	var allErrs field.ErrorList
	p := field.NewPath("status", "podIPs")
	var existing []string
	for _, ip := range oldPod.Status.PodIPs {
		existing = append(existing, ip.IP)
	}
	var ips []string
	for i, ip := range pod.Status.PodIPs {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 {
		dual, err := netutils.IsDualStackIPStrings(ips)
		if err != nil {
			allErrs = append(allErrs, field.InternalError(p, fmt.Errorf("failed to check for dual stack with error:%v", err)))
		}
		if !dual || len(ips) > 2 {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.PodIPs), "may specify no more than one IP for each IP family"))
		}
	}
	hasIP, hasIPs := len(pod.Status.PodIP) > 0, len(pod.Status.PodIPs) > 0
	switch {
	case hasIP != hasIPs:
		allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.PodIPs), "podIP and podIPs must either both be set or both be unset"))
	case hasIPs && pod.Status.PodIP != pod.Status.PodIPs[0].IP:
		allErrs = append(allErrs, field.Invalid(p.Index(0).Child("ip"), pod.Status.PodIPs[0].IP, "must be equal to `podIP`"))
	}
	return allErrs
}

func validateHostIPs(pod, oldPod *corev1.Pod) field.ErrorList {
	if len(pod.Status.HostIPs) == 0 {
		return nil
	}
	var allErrs field.ErrorList
	p := field.NewPath("status", "hostIPs")
	if pod.Status.HostIP != pod.Status.HostIPs[0].IP {
		allErrs = append(allErrs, field.Invalid(p.Index(0).Child("ip"), pod.Status.HostIPs[0].IP, "must be equal to `hostIP`"))
	}
	var existing, ips []string
	for _, ip := range oldPod.Status.HostIPs {
		existing = append(existing, ip.IP)
	}
	for i, ip := range pod.Status.HostIPs {
		allErrs = append(allErrs, validation.IsValidIPForLegacyField(p.Index(i), ip.IP, true, existing)...)
		ips = append(ips, ip.IP)
	}
	if len(ips) > 1 {
		dual, err := netutils.IsDualStackIPStrings(ips)
		if err != nil {
			allErrs = append(allErrs, field.InternalError(p, fmt.Errorf("failed to check for dual stack with error:%v", err)))
		}
		if !dual || len(ips) > 2 {
			allErrs = append(allErrs, field.Invalid(p, InternalJSON(pod.Status.HostIPs), "may specify no more than one IP for each IP family"))
		}
	}
	return allErrs
}

// ValidatePodEphemeralContainersUpdate validates a write to pods/ephemeralcontainers: ephemeral
// containers may be added but not changed or removed.
func ValidatePodEphemeralContainersUpdate(newPod, oldPod *corev1.Pod, opts PodValidationOptions) field.ErrorList {
	metaPath := field.NewPath("metadata")
	allErrs := apimachineryvalidation.ValidateObjectMetaUpdate(&newPod.ObjectMeta, &oldPod.ObjectMeta, metaPath)
	allErrs = append(allErrs, validatePodMetadataAndSpec(newPod, opts)...)
	allErrs = append(allErrs, validatePodSpecificAnnotationUpdates(newPod, oldPod, metaPath.Child("annotations"), opts)...)
	if _, ok := oldPod.Annotations[corev1.MirrorPodAnnotationKey]; ok {
		return field.ErrorList{field.Forbidden(field.NewPath(""), "static pods do not support ephemeral containers")}
	}
	byName := map[string]*corev1.EphemeralContainer{}
	for i := range newPod.Spec.EphemeralContainers {
		byName[newPod.Spec.EphemeralContainers[i].Name] = &newPod.Spec.EphemeralContainers[i]
	}
	specPath := field.NewPath("spec", "ephemeralContainers")
	for _, old := range oldPod.Spec.EphemeralContainers {
		if c, ok := byName[old.Name]; !ok {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be removed\n", old.Name)))
		} else if !apiequality.Semantic.DeepEqual(old, *c) {
			allErrs = append(allErrs, field.Forbidden(specPath, fmt.Sprintf("existing ephemeral containers %q may not be changed\n%v", old.Name, diff.Diff(InternalJSON(old), InternalJSON(*c)))))
		}
	}
	return allErrs
}

// ValidatePodBinding validates a Binding of a pod to a node.
func ValidatePodBinding(binding *corev1.Binding) field.ErrorList {
	var allErrs field.ErrorList
	if len(binding.Target.Kind) != 0 && binding.Target.Kind != "Node" {
		allErrs = append(allErrs, field.NotSupported(field.NewPath("target", "kind"), binding.Target.Kind, []string{"Node", "<empty>"}))
	}
	if len(binding.Target.Name) == 0 {
		allErrs = append(allErrs, field.Required(field.NewPath("target", "name"), ""))
	} else if len(binding.Target.Kind) == 0 || binding.Target.Kind == "Node" {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(binding.Target.Name, false) {
			allErrs = append(allErrs, field.Invalid(field.NewPath("target", "name"), binding.Target.Name, msg))
		}
	}
	return allErrs
}
