package helper

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/cache"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// As converts the objects of a cluster event to T. Either may be nil; a
// cache.DeletedFinalStateUnknown old object is unwrapped.
func As[T any](oldObj, newObj any) (T, T, error) {
	var oldT, newT T
	if newObj != nil {
		var ok bool
		if newT, ok = newObj.(T); !ok {
			return oldT, newT, fmt.Errorf("expected %T, but got %T", newT, newObj)
		}
	}
	if oldObj != nil {
		if d, ok := oldObj.(cache.DeletedFinalStateUnknown); ok {
			oldObj = d.Obj
		}
		var ok bool
		if oldT, ok = oldObj.(T); !ok {
			return oldT, newT, fmt.Errorf("expected %T, but got %T", oldT, oldObj)
		}
	}
	return oldT, newT, nil
}

// DefaultNormalizeScore scales scores from [0, max(scores)] to [0, maxPriority]; with reverse
// it then subtracts each from maxPriority. Scores are assumed non-negative.
func DefaultNormalizeScore(maxPriority int64, reverse bool, scores fwk.NodeScoreList) *fwk.Status {
	var maxCount int64
	for i := range scores {
		maxCount = max(maxCount, scores[i].Score)
	}
	if maxCount == 0 {
		if reverse {
			for i := range scores {
				scores[i].Score = maxPriority
			}
		}
		return nil
	}
	for i := range scores {
		s := maxPriority * scores[i].Score / maxCount
		if reverse {
			s = maxPriority - s
		}
		scores[i].Score = s
	}
	return nil
}

// DoNotScheduleTaint reports whether a taint keeps pods off a node (NoSchedule or NoExecute).
func DoNotScheduleTaint(t *corev1.Taint) bool {
	return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
}

// HostPorts returns the host ports of the pod's containers and of its restartable
// (sidecar) init containers, which run for the pod's whole life.
func HostPorts(pod *corev1.Pod) []corev1.ContainerPort {
	var ports []corev1.ContainerPort
	if pod == nil {
		return nil
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
			continue
		}
		for _, p := range c.Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	return ports
}

// UntoleratedTaint returns the first taint passing include (all taints when include is nil)
// that tolerations don't tolerate. Unlike component-helpers' FindMatchingUntoleratedTaint it
// does not allocate, which matters in Filter.
func UntoleratedTaint(logger klog.Logger, taints []corev1.Taint, tolerations []corev1.Toleration, include func(*corev1.Taint) bool) (*corev1.Taint, bool) {
	for i := range taints {
		t := &taints[i]
		if include != nil && !include(t) {
			continue
		}
		if !corev1helpers.TolerationsTolerateTaint(logger, tolerations, t, EnableTaintTolerationComparisonOperators) {
			return t, true
		}
	}
	return nil, false
}

// ReadState reads key from the cycle state as T.
func ReadState[T fwk.StateData](cs fwk.CycleState, key fwk.StateKey) (T, error) {
	var zero T
	c, err := cs.Read(key)
	if err != nil {
		return zero, fmt.Errorf("reading %q from cycleState: %w", key, err)
	}
	s, ok := c.(T)
	if !ok {
		return zero, fmt.Errorf("invalid state for %q, got type %T", key, c)
	}
	return s, nil
}
