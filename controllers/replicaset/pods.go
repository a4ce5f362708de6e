package replicaset

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// isPodActive: neither finished nor being deleted.
func isPodActive(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp == nil
}

// isPodTerminating: being deleted and not finished.
func isPodTerminating(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp != nil
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

// availableIn is how long until pod becomes available, seen at now; nil when it is not ready
// or already available.
func availableIn(pod *corev1.Pod, minReadySeconds int32, now time.Time) *time.Duration {
	if minReadySeconds <= 0 || !podready.IsReady(pod) {
		return nil
	}
	c := podready.Condition(pod)
	if c.LastTransitionTime.IsZero() {
		return nil
	}
	d := c.LastTransitionTime.Add(time.Duration(minReadySeconds) * time.Second).Sub(now)
	if d <= 0 {
		return nil
	}
	return &d
}

// nextAvailabilityCheck is when the next of pods turns available, as upstream's
// FindMinNextPodAvailabilityCheck: found against evaluatedAt (when the status was computed, so
// no pod is skipped) and then measured from now; zero when that moment has already passed.
func nextAvailabilityCheck(pods []*corev1.Pod, minReadySeconds int32, evaluatedAt, now time.Time) *time.Duration {
	var soonest *time.Duration
	var pod *corev1.Pod
	for _, p := range pods {
		if d := availableIn(p, minReadySeconds, evaluatedAt); d != nil && (soonest == nil || *d < *soonest) {
			soonest, pod = d, p
		}
	}
	if pod == nil {
		return nil
	}
	if d := availableIn(pod, minReadySeconds, now); d != nil {
		return d
	}
	zero := time.Duration(0)
	return &zero
}

// podKey is namespace/name, the key deletions are expected under.
func podKey(p *corev1.Pod) string {
	return p.Namespace + "/" + p.Name
}

// isControlledBy reports whether obj's controller reference points at owner.
func isControlledBy(obj metav1.Object, owner metav1.Object) bool {
	ref := metav1.GetControllerOfNoCopy(obj)
	return ref != nil && ref.UID == owner.GetUID()
}
