package kubelet

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubeletConditions are the pod conditions the kubelet owns; it keeps the others as they are.
var kubeletConditions = map[corev1.PodConditionType]bool{
	corev1.PodScheduled: true, corev1.PodReadyToStartContainers: true, corev1.PodInitialized: true,
	corev1.ContainersReady: true, corev1.PodReady: true,
}

// podPhase is upstream's getPhase with container restart rules on: Pending while init
// containers or containers wait, Running while one runs or will restart, Succeeded/Failed when
// all stopped for good.
func podPhase(pod *corev1.Pod, initStatuses, statuses []corev1.ContainerStatus, terminal, initialized bool) corev1.PodPhase {
	pendingInit, pendingSidecars := 0, 0
	failedInitForGood := 0
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if isRestartable(c) {
			continue
		}
		cs := findStatus(initStatuses, c.Name)
		switch {
		case cs == nil, cs.State.Running != nil:
			pendingInit++
		case cs.State.Terminated != nil:
			if code := cs.State.Terminated.ExitCode; code != 0 && !shouldRestart(pod, c, code) {
				failedInitForGood++
			}
		case cs.State.Waiting != nil && cs.LastTerminationState.Terminated != nil:
			if code := cs.LastTerminationState.Terminated.ExitCode; code != 0 && !shouldRestart(pod, c, code) {
				failedInitForGood++
			}
		default:
			pendingInit++
		}
	}
	unknown, running, waiting, stopped, stoppedForGood, succeeded := 0, 0, 0, 0, 0, 0
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if !isRestartable(c) {
			continue
		}
		cs := findStatus(initStatuses, c.Name)
		switch {
		case cs == nil:
			unknown++
			pendingSidecars++
		case cs.State.Running != nil:
			if cs.Started == nil || !*cs.Started {
				pendingSidecars++
			}
			running++
		case cs.State.Terminated != nil:
		case cs.State.Waiting != nil && cs.LastTerminationState.Terminated == nil:
			pendingSidecars++
			waiting++
		}
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		cs := findStatus(statuses, c.Name)
		switch {
		case cs == nil:
			unknown++
		case cs.State.Running != nil:
			running++
		case cs.State.Terminated != nil:
			stopped++
			if !shouldRestart(pod, c, cs.State.Terminated.ExitCode) {
				stoppedForGood++
			}
			if cs.State.Terminated.ExitCode == 0 {
				succeeded++
			}
		case cs.State.Waiting != nil && cs.LastTerminationState.Terminated != nil:
			stopped++
			if !shouldRestart(pod, c, cs.LastTerminationState.Terminated.ExitCode) {
				stoppedForGood++
			}
		default:
			waiting++
		}
	}
	if failedInitForGood > 0 {
		return corev1.PodFailed
	}
	switch {
	case pendingInit > 0 || (pendingSidecars > 0 && !initialized), waiting > 0:
		return corev1.PodPending
	case running > 0 && unknown == 0:
		return corev1.PodRunning
	case running == 0 && stopped > 0 && unknown == 0:
		if terminal {
			if stopped == succeeded {
				return corev1.PodSucceeded
			}
			return corev1.PodFailed
		}
		if stopped != stoppedForGood {
			return corev1.PodRunning
		}
		if stopped == succeeded {
			return corev1.PodSucceeded
		}
		return corev1.PodFailed
	}
	return corev1.PodPending
}

func findStatus(list []corev1.ContainerStatus, name string) *corev1.ContainerStatus {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

// podConditions are the kubelet's conditions of status s, keeping old transition times.
// sandboxNotReady is "" when the pod's sandbox is ready, else upstream's message saying why not.
func podConditions(pod *corev1.Pod, old, s *corev1.PodStatus, sandboxNotReady string, now time.Time) []corev1.PodCondition {
	gen := pod.Generation
	var conds []corev1.PodCondition
	if sandboxNotReady == "" {
		conds = append(conds, corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue})
	} else {
		conds = append(conds, corev1.PodCondition{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionFalse,
			Reason: "PodSandboxNotReady", Message: sandboxNotReady})
	}
	conds = append(conds, initializedCondition(pod, s))
	cr := containersReadyCondition(pod, s)
	conds = append(conds, readyCondition(pod, old, cr), cr, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue})
	for i := range conds {
		conds[i].ObservedGeneration = gen
		t := metav1.NewTime(now.Truncate(time.Second))
		for _, o := range old.Conditions {
			if o.Type == conds[i].Type && o.Status == conds[i].Status {
				t = o.LastTransitionTime
			}
		}
		conds[i].LastTransitionTime = t
	}
	return conds
}

func initializedCondition(pod *corev1.Pod, s *corev1.PodStatus) corev1.PodCondition {
	var incomplete []string
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		cs := findStatus(s.InitContainerStatuses, c.Name)
		if isRestartable(c) {
			if cs == nil || cs.Started == nil || !*cs.Started {
				incomplete = append(incomplete, c.Name)
			}
		} else if cs == nil || !cs.Ready {
			incomplete = append(incomplete, c.Name)
		}
	}
	if s.Phase == corev1.PodSucceeded {
		return corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, Reason: "PodCompleted"}
	}
	for _, cs := range s.ContainerStatuses {
		if cs.State.Waiting == nil || cs.LastTerminationState.Terminated != nil || cs.ContainerID != "" {
			return corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}
		}
	}
	if len(incomplete) > 0 {
		return corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionFalse, Reason: "ContainersNotInitialized",
			Message: fmt.Sprintf("containers with incomplete status: %v", incomplete)}
	}
	return corev1.PodCondition{Type: corev1.PodInitialized, Status: corev1.ConditionTrue}
}

func containersReadyCondition(pod *corev1.Pod, s *corev1.PodStatus) corev1.PodCondition {
	switch s.Phase {
	case corev1.PodSucceeded:
		return corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "PodCompleted"}
	case corev1.PodFailed:
		return corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "PodFailed"}
	}
	var unready []string
	for i := range pod.Spec.InitContainers {
		if c := &pod.Spec.InitContainers[i]; isRestartable(c) {
			if cs := findStatus(s.InitContainerStatuses, c.Name); cs == nil || !cs.Ready {
				unready = append(unready, c.Name)
			}
		}
	}
	for _, c := range pod.Spec.Containers {
		if cs := findStatus(s.ContainerStatuses, c.Name); cs == nil || !cs.Ready {
			unready = append(unready, c.Name)
		}
	}
	if len(unready) > 0 {
		return corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, Reason: "ContainersNotReady",
			Message: fmt.Sprintf("containers with unready status: %v", unready)}
	}
	return corev1.PodCondition{Type: corev1.ContainersReady, Status: corev1.ConditionTrue}
}

// readyCondition is ContainersReady and every readiness gate's condition True.
func readyCondition(pod *corev1.Pod, old *corev1.PodStatus, cr corev1.PodCondition) corev1.PodCondition {
	if cr.Status != corev1.ConditionTrue {
		return corev1.PodCondition{Type: corev1.PodReady, Status: cr.Status, Reason: cr.Reason, Message: cr.Message}
	}
	var msgs []string
	for _, g := range pod.Spec.ReadinessGates {
		var found *corev1.PodCondition
		for i := range old.Conditions {
			if old.Conditions[i].Type == g.ConditionType {
				found = &old.Conditions[i]
			}
		}
		switch {
		case found == nil:
			msgs = append(msgs, fmt.Sprintf("corresponding condition of pod readiness gate %q does not exist.", string(g.ConditionType)))
		case found.Status != corev1.ConditionTrue:
			msgs = append(msgs, fmt.Sprintf("the status of pod readiness gate %q is not \"True\", but %v", string(g.ConditionType), found.Status))
		}
	}
	if len(msgs) > 0 {
		msg := msgs[0]
		for _, m := range msgs[1:] {
			msg += ", " + m
		}
		return corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionFalse, Reason: "ReadinessGatesNotReady", Message: msg}
	}
	return corev1.PodCondition{Type: corev1.PodReady, Status: corev1.ConditionTrue}
}

// mergeForeignConditions puts the old conditions the kubelet does not own before the kubelet's,
// as upstream does.
func mergeForeignConditions(old, mine []corev1.PodCondition) []corev1.PodCondition {
	var out []corev1.PodCondition
	for _, c := range old {
		if !kubeletConditions[c.Type] {
			out = append(out, c)
		}
	}
	return append(out, mine...)
}
