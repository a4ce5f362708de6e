package disruption

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	pdbhelper "k8s.io/component-helpers/apps/poddisruptionbudget"
)

// scaleFunc returns the summed scale of the selected pods' controllers and the pods that have
// none; it is only called when the budget needs it.
type scaleFunc func() (int32, []string, error)

// desiredCounts returns how many pods the budget expects and how many of them must be
// healthy: an integer minAvailable counts the selected pods, a percentage or a maxUnavailable
// needs the controllers' scale.
func desiredCounts(pdb *policyv1.PodDisruptionBudget, numPods int, scaleOf scaleFunc) (expected, desired int32, unmanaged []string, err error) {
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		if expected, unmanaged, err = scaleOf(); err != nil {
			return 0, 0, unmanaged, err
		}
		maxUnavailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(expected), true)
		if err != nil {
			return 0, 0, unmanaged, err
		}
		return expected, max(expected-int32(maxUnavailable), 0), unmanaged, nil
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int:
		return int32(numPods), pdb.Spec.MinAvailable.IntVal, nil, nil
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.String:
		if expected, unmanaged, err = scaleOf(); err != nil {
			return 0, 0, unmanaged, err
		}
		minAvailable, err := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(expected), true)
		if err != nil {
			return 0, 0, unmanaged, err
		}
		return expected, int32(minAvailable), unmanaged, nil
	}
	return 0, 0, nil, nil
}

// countHealthy counts the ready pods that are neither being deleted nor recently evicted.
func countHealthy(pods []*corev1.Pod, disrupted map[string]metav1.Time, now time.Time) int32 {
	var n int32
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if t, ok := disrupted[pod.Name]; ok && t.Add(DeletionTimeout).After(now) {
			continue
		}
		if isPodReady(pod) {
			n++
		}
	}
	return n
}

// disruptedPods keeps the entries of status.disruptedPods whose pod still exists, is not yet
// being deleted and was evicted less than DeletionTimeout ago. It also returns when the
// earliest kept entry expires, and the pods whose entry expired without a deletion.
func disruptedPods(pods []*corev1.Pod, pdb *policyv1.PodDisruptionBudget, now time.Time) (map[string]metav1.Time, *time.Time, []*corev1.Pod) {
	result := map[string]metav1.Time{}
	var recheck *time.Time
	var expired []*corev1.Pod
	if pdb.Status.DisruptedPods == nil {
		return result, nil, nil
	}
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		t, ok := pdb.Status.DisruptedPods[pod.Name]
		if !ok {
			continue
		}
		expectedDeletion := t.Add(DeletionTimeout)
		if expectedDeletion.Before(now) {
			expired = append(expired, pod)
			continue
		}
		if recheck == nil || expectedDeletion.Before(*recheck) {
			recheck = &expectedDeletion
		}
		result[pod.Name] = t
	}
	return result, recheck, expired
}

// newStatus returns pdb with the computed status, or nil when the stored one is current.
func newStatus(pdb *policyv1.PodDisruptionBudget, currentHealthy, desiredHealthy, expected int32, disrupted map[string]metav1.Time) *policyv1.PodDisruptionBudget {
	allowed := currentHealthy - desiredHealthy
	if expected <= 0 || allowed <= 0 {
		allowed = 0
	}
	s := pdb.Status
	if s.CurrentHealthy == currentHealthy && s.DesiredHealthy == desiredHealthy && s.ExpectedPods == expected &&
		s.DisruptionsAllowed == allowed && apiequality.Semantic.DeepEqual(s.DisruptedPods, disrupted) &&
		s.ObservedGeneration == pdb.Generation && pdbhelper.ConditionsAreUpToDate(pdb) {
		return nil
	}
	out := pdb.DeepCopy()
	out.Status = policyv1.PodDisruptionBudgetStatus{
		CurrentHealthy:     currentHealthy,
		DesiredHealthy:     desiredHealthy,
		ExpectedPods:       expected,
		DisruptionsAllowed: allowed,
		DisruptedPods:      disrupted,
		ObservedGeneration: pdb.Generation,
		Conditions:         out.Status.Conditions,
	}
	pdbhelper.UpdateDisruptionAllowedCondition(out)
	return out
}

func isPodReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
