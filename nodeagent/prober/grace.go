package prober

import (
	corev1 "k8s.io/api/core/v1"
)

// minGracePeriod is upstream's grace period when a pod has none.
const minGracePeriod = 2

// KillGracePeriod is the grace period, in seconds, of killing container c of pod after its
// probe ("Liveness" or "Startup", as Failure.Probe; "" for other kills) failed: the pod's
// deletion grace period when it is being deleted, else the probe's terminationGracePeriodSeconds
// when set, else the pod's terminationGracePeriodSeconds.
func KillGracePeriod(pod *corev1.Pod, c *corev1.Container, probe string) int64 {
	switch {
	case pod.DeletionGracePeriodSeconds != nil:
		return *pod.DeletionGracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		var p *corev1.Probe
		switch probe {
		case liveness.String():
			p = c.LivenessProbe
		case startup.String():
			p = c.StartupProbe
		}
		if p != nil && p.TerminationGracePeriodSeconds != nil {
			return *p.TerminationGracePeriodSeconds
		}
		return *pod.Spec.TerminationGracePeriodSeconds
	}
	return minGracePeriod
}
