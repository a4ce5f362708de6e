package fieldpath

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// ContainerResource returns a resourceFieldRef's value for container c of pod (or the
// container the selector names), divided by the selector's divisor (default 1) and rounded
// up. A limit that is unset or zero is the node's allocatable amount, or the pod-level
// limit when the pod sets one, as upstream defaults limits for the downward API.
func ContainerResource(sel *corev1.ResourceFieldSelector, pod *corev1.Pod, c *corev1.Container, allocatable corev1.ResourceList) (string, error) {
	if sel.ContainerName != "" {
		found, err := findContainer(pod, sel.ContainerName)
		if err != nil {
			return "", err
		}
		c = found
	}
	if c == nil {
		return "", fmt.Errorf("container %s not found", sel.ContainerName)
	}
	limits := defaultedLimits(c.Resources.Limits, podAllocatable(pod, allocatable))
	return resourceValue(sel, limits, c.Resources.Requests)
}

func findContainer(pod *corev1.Pod, name string) (*corev1.Container, error) {
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == name {
			return &pod.Spec.Containers[i], nil
		}
	}
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == name {
			return &pod.Spec.InitContainers[i], nil
		}
	}
	return nil, fmt.Errorf("container %s not found", name)
}

// podAllocatable is what a container without limits may use: the node's allocatable, lowered
// to the pod-level limits where the pod sets them (for resources the node reports).
func podAllocatable(pod *corev1.Pod, allocatable corev1.ResourceList) corev1.ResourceList {
	if pod.Spec.Resources == nil || len(pod.Spec.Resources.Limits) == 0 {
		return allocatable
	}
	out := allocatable.DeepCopy()
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if v, ok := pod.Spec.Resources.Limits[name]; ok && !v.IsZero() {
			if _, ok := out[name]; ok {
				out[name] = v.DeepCopy()
			}
		}
	}
	return out
}

// defaultedLimits fills cpu, memory and ephemeral-storage limits that are unset or zero
// from allocatable (hugepages are never overcommitted and keep theirs).
func defaultedLimits(limits, allocatable corev1.ResourceList) corev1.ResourceList {
	out := limits.DeepCopy()
	if out == nil {
		out = corev1.ResourceList{}
	}
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
		if q, ok := out[name]; ok && !q.IsZero() {
			continue
		}
		if a, ok := allocatable[name]; ok {
			out[name] = a.DeepCopy()
		}
	}
	return out
}

func resourceValue(sel *corev1.ResourceFieldSelector, limits, requests corev1.ResourceList) (string, error) {
	divisor := sel.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	kind, name, _ := strings.Cut(sel.Resource, ".")
	var list corev1.ResourceList
	switch kind {
	case "limits":
		list = limits
	case "requests":
		list = requests
	default:
		return "", fmt.Errorf("unsupported container resource : %v", sel.Resource)
	}
	rn := corev1.ResourceName(name)
	switch {
	case rn == corev1.ResourceCPU:
		q := list[rn]
		return ceilDiv(float64(q.MilliValue()), float64(divisor.MilliValue())), nil
	case rn == corev1.ResourceMemory || rn == corev1.ResourceEphemeralStorage ||
		strings.HasPrefix(name, corev1.ResourceHugePagesPrefix):
		q := list[rn]
		return ceilDiv(float64(q.Value()), float64(divisor.Value())), nil
	}
	return "", fmt.Errorf("unsupported container resource : %v", sel.Resource)
}

func ceilDiv(v, d float64) string {
	return strconv.FormatInt(int64(math.Ceil(v/d)), 10)
}
