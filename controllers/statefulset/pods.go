package statefulset

import (
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// Pod states as the controller judges them.

func isCreated(pod *corev1.Pod) bool     { return pod.Status.Phase != "" }
func isPending(pod *corev1.Pod) bool     { return pod.Status.Phase == corev1.PodPending }
func isTerminating(pod *corev1.Pod) bool { return pod.DeletionTimestamp != nil }

func isTerminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded
}

func isRunningAndReady(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodRunning && podready.IsReady(pod)
}

func isUnavailable(pod *corev1.Pod, minReadySeconds int32, now time.Time) bool {
	return !podready.IsAvailable(pod, minReadySeconds, now) || isTerminating(pod)
}

// nextAvailabilityCheck is how long until the first ready but not yet available pod becomes
// available; nil when there is none.
func nextAvailabilityCheck(pods []*corev1.Pod, minReadySeconds int32, now time.Time) *time.Duration {
	var next *time.Duration
	for _, pod := range pods {
		if !podready.IsReady(pod) || podready.IsAvailable(pod, minReadySeconds, now) {
			continue
		}
		c := podready.Condition(pod)
		if c.LastTransitionTime.IsZero() {
			continue
		}
		d := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
		if next == nil || d < *next {
			next = &d
		}
	}
	return next
}

// countReplicas sets status's counters from the given pods (nil entries are skipped).
func countReplicas(status *appsv1.StatefulSetStatus, minReadySeconds int32, currentRevision, updateRevision string, now time.Time, lists ...[]*corev1.Pod) {
	status.Replicas, status.ReadyReplicas, status.AvailableReplicas = 0, 0, 0
	status.CurrentReplicas, status.UpdatedReplicas = 0, 0
	for _, pods := range lists {
		for _, pod := range pods {
			if pod == nil {
				continue
			}
			if isCreated(pod) {
				status.Replicas++
			}
			if isRunningAndReady(pod) {
				status.ReadyReplicas++
				if podready.IsAvailable(pod, minReadySeconds, now) {
					status.AvailableReplicas++
				}
			}
			if isCreated(pod) && !isTerminating(pod) {
				if podRevision(pod) == currentRevision {
					status.CurrentReplicas++
				}
				if podRevision(pod) == updateRevision {
					status.UpdatedReplicas++
				}
			}
		}
	}
}

// completeUpdate marks the rollout finished once every replica is updated and ready.
func completeUpdate(set *appsv1.StatefulSet, status *appsv1.StatefulSetStatus) {
	n := replicasOf(set)
	if status.UpdatedReplicas == n && status.ReadyReplicas == n && status.Replicas == n {
		status.CurrentReplicas = status.UpdatedReplicas
		status.CurrentRevision = status.UpdateRevision
	}
}

// statusChanged reports whether status differs from what set already records.
func statusChanged(set *appsv1.StatefulSet, status *appsv1.StatefulSetStatus) bool {
	s := set.Status
	return status.ObservedGeneration > s.ObservedGeneration ||
		status.Replicas != s.Replicas ||
		status.CurrentReplicas != s.CurrentReplicas ||
		status.ReadyReplicas != s.ReadyReplicas ||
		status.UpdatedReplicas != s.UpdatedReplicas ||
		status.CurrentRevision != s.CurrentRevision ||
		status.AvailableReplicas != s.AvailableReplicas ||
		status.UpdateRevision != s.UpdateRevision ||
		!conditionsEqual(s.Conditions, status.Conditions)
}

func conditionsEqual(a, b []appsv1.StatefulSetCondition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].Status != b[i].Status || a[i].Reason != b[i].Reason ||
			a[i].Message != b[i].Message || !a[i].LastTransitionTime.Equal(&b[i].LastTransitionTime) {
			return false
		}
	}
	return true
}
