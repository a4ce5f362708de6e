package job

import (
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func hasTrackingFinalizer(pod *corev1.Pod) bool {
	return slices.Contains(pod.Finalizers, batchv1.JobTrackingFinalizer)
}

func isTerminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
}

// isActive: neither terminal nor being deleted.
func isActive(pod *corev1.Pod) bool { return !isTerminal(pod) && pod.DeletionTimestamp == nil }

// isTerminating: being deleted but not yet terminal.
func isTerminating(pod *corev1.Pod) bool { return !isTerminal(pod) && pod.DeletionTimestamp != nil }

func isReady(pod *corev1.Pod) bool {
	return readyCondition(pod) != nil
}

// readyCondition returns the pod's Ready=True condition, or nil.
func readyCondition(pod *corev1.Pod) *corev1.PodCondition {
	for i, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func filterPods(pods []*corev1.Pod, keep func(*corev1.Pod) bool) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range pods {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

func countPods(pods []*corev1.Pod, pred func(*corev1.Pod) bool) int32 {
	return int32(len(filterPods(pods, pred)))
}

// onlyReplaceFailedPods: podReplacementPolicy Failed waits for pods to be fully terminal
// before replacing them.
func onlyReplaceFailedPods(job *batchv1.Job) bool {
	return ptr.Deref(job.Spec.PodReplacementPolicy, batchv1.TerminatingOrFailed) == batchv1.Failed
}

// isPodFailed: Failed phase, or (unless only failed pods are replaced) deleted before
// succeeding, so orphans that never reach a phase still count.
func isPodFailed(pod *corev1.Pod, job *batchv1.Job) bool {
	if pod.Status.Phase == corev1.PodFailed {
		return true
	}
	if onlyReplaceFailedPods(job) {
		return false
	}
	return pod.DeletionTimestamp != nil && pod.Status.Phase != corev1.PodSucceeded
}

// phaseRank orders pods for removal: Pending, then Unknown, then Running.
var phaseRank = map[corev1.PodPhase]int{corev1.PodPending: 0, corev1.PodUnknown: 1, corev1.PodRunning: 2}

// sortForRemoval orders pods so the ones least along come first: unscheduled, then by phase,
// not ready before ready, ready most recently first, most container restarts first, newest first.
func sortForRemoval(pods []*corev1.Pod) {
	slices.SortStableFunc(pods, func(a, b *corev1.Pod) int {
		if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
			return boolFirst(a.Spec.NodeName == "")
		}
		if ra, rb := phaseRank[a.Status.Phase], phaseRank[b.Status.Phase]; ra != rb {
			return ra - rb
		}
		ca, cb := readyCondition(a), readyCondition(b)
		if (ca == nil) != (cb == nil) {
			return boolFirst(ca == nil)
		}
		if ca != nil && !ca.LastTransitionTime.Equal(&cb.LastTransitionTime) {
			return boolFirst(afterOrZero(ca.LastTransitionTime.Time, cb.LastTransitionTime.Time))
		}
		if r := restartRank(b) - restartRank(a); r != 0 {
			return r
		}
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return boolFirst(afterOrZero(a.CreationTimestamp.Time, b.CreationTimestamp.Time))
		}
		return 0
	})
}

// boolFirst sorts the element for which the condition holds first.
func boolFirst(aFirst bool) int {
	if aFirst {
		return -1
	}
	return 1
}

// afterOrZero: t1 after t2, a zero time counting as the latest.
func afterOrZero(t1, t2 time.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2)
}

// restartRank compares regular containers' restarts, then sidecars'.
func restartRank(p *corev1.Pod) int {
	regular, sidecar := 0, 0
	for _, c := range p.Status.ContainerStatuses {
		regular = max(regular, int(c.RestartCount))
	}
	sidecars := map[string]bool{}
	for _, c := range p.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
		}
	}
	for _, c := range p.Status.InitContainerStatuses {
		if sidecars[c.Name] {
			sidecar = max(sidecar, int(c.RestartCount))
		}
	}
	return regular<<20 | min(sidecar, 1<<20-1)
}
