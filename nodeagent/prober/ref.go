package prober

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// containerRef is what events about container c of pod refer to: the pod, with the container's
// field path (spec.containers{NAME}, spec.initContainers{NAME}, spec.ephemeralContainers{NAME}).
func containerRef(pod *corev1.Pod, c *corev1.Container) *corev1.ObjectReference {
	return &corev1.ObjectReference{
		Kind: "Pod", APIVersion: "v1", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
		ResourceVersion: pod.ResourceVersion, FieldPath: fieldPath(pod, c.Name),
	}
}

func fieldPath(pod *corev1.Pod, name string) string {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return fmt.Sprintf("spec.containers{%s}", name)
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return fmt.Sprintf("spec.initContainers{%s}", name)
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return fmt.Sprintf("spec.ephemeralContainers{%s}", name)
		}
	}
	return "implicitly required container " + name
}

// podDesc is upstream's NAME_NAMESPACE(UID) of a pod in messages.
func podDesc(pod *corev1.Pod) string {
	if pod == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
}
