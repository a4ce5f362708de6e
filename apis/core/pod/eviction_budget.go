package pod

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/retry"
	pdbhelper "k8s.io/component-helpers/apps/poddisruptionbudget"
)

// maxDisruptedPodSize caps status.disruptedPods: beyond it evictions are refused until the
// disruption controller has caught up.
const maxDisruptedPodSize = 2000

// evictionsRetry paces retries on conflicts with other writers of the pod or the budget.
var evictionsRetry = wait.Backoff{Steps: 20, Duration: 500 * time.Millisecond, Factor: 1.0, Jitter: 0.1}

// evicted is the answer to a served eviction; the handler fills in its code.
func evicted() *metav1.Status { return &metav1.Status{Status: metav1.StatusSuccess} }

// evict deletes the pod when its state or its PodDisruptionBudget allows it, as upstream's
// eviction subresource does.
func (r *EvictionREST) evict(ctx context.Context, name string, options *metav1.DeleteOptions) (runtime.Object, error) {
	var pod *corev1.Pod
	deleted := false
	shouldRetry := apierrors.IsConflict
	if !resourceVersionIsUnset(options) {
		// The caller pinned a resourceVersion: a conflict is the answer.
		shouldRetry = func(error) bool { return false }
	}
	err := retry.OnError(evictionsRetry, shouldRetry, func() error {
		obj, err := r.store.Get(ctx, name, &metav1.GetOptions{})
		if err != nil {
			return err
		}
		pod = obj.(*corev1.Pod)
		if !canIgnoreBudget(pod) {
			return nil
		}
		opts := options
		if enforceResourceVersion(pod) && resourceVersionIsUnset(options) {
			// Do not race with the pod becoming ready, and so guarded by a budget.
			opts = withResourceVersion(options, pod.ResourceVersion)
		}
		if err := r.addConditionAndDelete(ctx, name, opts); err != nil {
			return err
		}
		deleted = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if deleted {
		return evicted(), nil
	}

	refusal, pdbName, guard, err := r.checkBudget(ctx, pod, isDryRun(options.DryRun))
	if wait.Interrupted(err) {
		err = apierrors.NewTimeoutError(fmt.Sprintf("couldn't update PodDisruptionBudget %q due to conflicts", pdbName), 10)
	}
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return refusal, nil
	}
	opts := options
	if guard {
		// An unhealthy pod goes without spending the budget, but only if it did not turn
		// healthy meanwhile.
		opts = withResourceVersion(options, pod.ResourceVersion)
	}
	if err := r.addConditionAndDelete(ctx, name, opts); err != nil {
		if apierrors.IsConflict(err) && guard && resourceVersionIsUnset(options) {
			return nil, tooManyRequests(pdbName)
		}
		return nil, err
	}
	return evicted(), nil
}

// checkBudget applies the pod's PodDisruptionBudget. It returns a Status to answer with when
// the request cannot be served (several budgets), the budget's name, and guard when the pod
// may go without spending the budget provided it is unchanged.
func (r *EvictionREST) checkBudget(ctx context.Context, pod *corev1.Pod, dryRun bool) (*metav1.Status, string, bool, error) {
	pdbs, err := r.pdbs.matching(ctx, pod.Namespace, pod.Labels)
	if err != nil {
		return nil, "", false, err
	}
	switch len(pdbs) {
	case 0:
		return nil, "", false, nil
	case 1:
	default:
		return &metav1.Status{
			Status:  metav1.StatusFailure,
			Message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
			Code:    500,
		}, "", false, nil
	}
	pdb := &pdbs[0]
	if !isPodReady(pod) {
		if p := pdb.Spec.UnhealthyPodEvictionPolicy; p != nil && *p == policyv1.AlwaysAllow {
			return nil, pdb.Name, true, nil
		}
		// IfHealthyBudget (the default): an unready pod may go while the application is whole.
		if pdb.Status.CurrentHealthy >= pdb.Status.DesiredHealthy && pdb.Status.DesiredHealthy > 0 {
			return nil, pdb.Name, true, nil
		}
	}
	refresh := false
	err = retry.RetryOnConflict(evictionsRetry, func() error {
		if refresh {
			if pdb, err = r.pdbs.get(ctx, pod.Namespace, pdb.Name); err != nil {
				return err
			}
		}
		if err := r.checkAndDecrement(ctx, pod.Name, pdb.DeepCopy(), dryRun); err != nil {
			refresh = true
			return err
		}
		return nil
	})
	return nil, pdb.Name, false, err
}

// checkAndDecrement refuses the eviction unless pdb allows a disruption, and otherwise spends
// one: disruptionsAllowed goes down and the pod is recorded in disruptedPods, so the
// disruption controller does not count it while it goes away.
func (r *EvictionREST) checkAndDecrement(ctx context.Context, podName string, pdb *policyv1.PodDisruptionBudget, dryRun bool) error {
	if err := budgetRefusal(pdb); err != nil {
		return err
	}
	pdb.Status.DisruptionsAllowed--
	if pdb.Status.DisruptionsAllowed == 0 {
		pdbhelper.UpdateDisruptionAllowedCondition(pdb)
	}
	if dryRun {
		return nil
	}
	if pdb.Status.DisruptedPods == nil {
		pdb.Status.DisruptedPods = map[string]metav1.Time{}
	}
	pdb.Status.DisruptedPods[podName] = metav1.NewTime(r.clock.Now())
	return r.pdbs.updateStatus(ctx, pdb)
}

// budgetRefusal returns upstream's error when pdb allows no disruption now.
func budgetRefusal(pdb *policyv1.PodDisruptionBudget) error {
	if pdb.Status.ObservedGeneration < pdb.Generation {
		return tooManyRequests(pdb.Name)
	}
	if pdb.Status.DisruptionsAllowed < 0 {
		return forbidden(pdb.Name, "pdb disruptions allowed is negative",
			"pdb disruptions allowed is negative")
	}
	if len(pdb.Status.DisruptedPods) > maxDisruptedPodSize {
		return forbidden(pdb.Name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
			"too many pending evictions not confirmed by PDB controller")
	}
	if pdb.Status.DisruptionsAllowed > 0 {
		return nil
	}
	err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 0)
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type:    policyv1.DisruptionBudgetCause,
		Message: refusalMessage(pdb),
	})
	return err
}

func refusalMessage(pdb *policyv1.PodDisruptionBudget) string {
	cond := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
	failed := cond != nil && cond.Status == metav1.ConditionFalse && len(cond.Message) > 0
	switch {
	// A failed sync makes the counts untrustworthy: say so first.
	case failed && cond.Reason == policyv1.SyncFailedReason:
		return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently because it failed sync: %s", pdb.Name, cond.Message)
	case pdb.Status.CurrentHealthy <= pdb.Status.DesiredHealthy:
		return fmt.Sprintf("The disruption budget %s needs %d healthy pods and has %d currently", pdb.Name, pdb.Status.DesiredHealthy, pdb.Status.CurrentHealthy)
	case failed:
		return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently (%s): %s", pdb.Name, cond.Reason, cond.Message)
	}
	return fmt.Sprintf("The disruption budget %s does not allow evicting pods currently", pdb.Name)
}

func tooManyRequests(pdbName string) error {
	err := apierrors.NewTooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", 10)
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type:    policyv1.DisruptionBudgetCause,
		Message: fmt.Sprintf("The disruption budget %s is still being processed by the server.", pdbName),
	})
	return err
}

func forbidden(pdbName, reason, detail string) error {
	err := apierrors.NewForbidden(policyv1.Resource("poddisruptionbudget"), pdbName, errors.New(reason))
	err.ErrStatus.Details.Causes = append(err.ErrStatus.Details.Causes, metav1.StatusCause{
		Type:    policyv1.DisruptionBudgetCause,
		Message: fmt.Sprintf("The disruption budget %s does not allow evicting pods currently: %s", pdbName, detail),
	})
	return err
}

// canIgnoreBudget: pods that are not running, or already going, are deleted without looking
// at budgets.
func canIgnoreBudget(pod *corev1.Pod) bool {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed, corev1.PodPending:
		return true
	}
	return pod.DeletionTimestamp != nil
}

// enforceResourceVersion: terminal and terminating pods cannot become healthy any more.
func enforceResourceVersion(pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return false
	}
	return pod.DeletionTimestamp == nil
}

func resourceVersionIsUnset(options *metav1.DeleteOptions) bool {
	return options.Preconditions == nil || options.Preconditions.ResourceVersion == nil
}

func withResourceVersion(options *metav1.DeleteOptions, rv string) *metav1.DeleteOptions {
	options = options.DeepCopy()
	if options.Preconditions == nil {
		options.Preconditions = &metav1.Preconditions{}
	}
	options.Preconditions.ResourceVersion = &rv
	return options
}

func isPodReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
