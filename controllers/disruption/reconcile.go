package disruption

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// Reconcile recomputes the status of the PodDisruptionBudget named in req.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pdb policyv1.PodDisruptionBudget
	if err := r.client.Get(ctx, req.NamespacedName, &pdb); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	result, err := r.sync(ctx, &pdb)
	if apierrors.IsConflict(err) || ctx.Err() != nil {
		return ctrl.Result{}, err
	}
	if err != nil {
		log.FromContext(ctx).Error(err, "Failed to sync PDB")
		// Allow no disruption while the budget cannot be computed.
		return ctrl.Result{}, r.failSafe(ctx, &pdb, err)
	}
	return result, nil
}

// sync counts the budget's pods and writes its status; it asks to run again when an entry of
// disruptedPods expires.
func (r *Reconciler) sync(ctx context.Context, pdb *policyv1.PodDisruptionBudget) (ctrl.Result, error) {
	pods, err := r.podsFor(ctx, pdb)
	if err != nil {
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "NoPods", "Failed to get pods: %v", err)
		return ctrl.Result{}, err
	}
	if len(pods) == 0 {
		r.recorder.Eventf(pdb, corev1.EventTypeNormal, "NoPods", "No matching pods found")
	}
	expected, desired, unmanaged, err := desiredCounts(pdb, len(pods), func() (int32, []string, error) {
		return r.expectedScale(ctx, pods)
	})
	if err != nil {
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: %v", err)
		return ctrl.Result{}, err
	}
	if len(unmanaged) > 0 {
		log.FromContext(ctx).V(4).Info("Found unmanaged pods associated with this PDB", "pods", unmanaged)
		r.recorder.Eventf(pdb, corev1.EventTypeWarning, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: %v) were found "+
			"to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "+
			"To account for these pods please set \".spec.minAvailable\" "+
			"field of the PDB to an integer value.", pdb.Spec.Selector)
	}

	now := r.clock.Now()
	disrupted, recheck, expired := disruptedPods(pods, pdb, now)
	for _, pod := range expired {
		log.FromContext(ctx).V(1).Info("pod was expected to be deleted but it wasn't, updating PDB", "pod", pod.Name)
		// Upstream names the namespace twice here.
		r.recorder.Eventf(pod, corev1.EventTypeWarning, "NotDeleted", "Pod was expected by PDB %s/%s to be deleted but it wasn't", pdb.Namespace, pdb.Namespace)
	}
	if updated := newStatus(pdb, countHealthy(pods, disrupted, now), desired, expected, disrupted); updated != nil {
		if err := r.client.Status().Update(ctx, updated); err != nil {
			return ctrl.Result{}, fmt.Errorf("updating status of PodDisruptionBudget %s/%s: %w", pdb.Namespace, pdb.Name, err)
		}
	}
	if recheck != nil {
		return ctrl.Result{RequeueAfter: recheck.Sub(now)}, nil
	}
	return ctrl.Result{}, nil
}

// podsFor lists the pods pdb selects.
func (r *Reconciler) podsFor(ctx context.Context, pdb *policyv1.PodDisruptionBudget) ([]*corev1.Pod, error) {
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil, err
	}
	var list corev1.PodList
	if err := r.client.List(ctx, &list, client.InNamespace(pdb.Namespace), client.MatchingLabelsSelector{Selector: sel}); err != nil {
		return nil, err
	}
	pods := make([]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		pods[i] = &list.Items[i]
	}
	return pods, nil
}

// failSafe records a failed sync: no disruption allowed, and why.
func (r *Reconciler) failSafe(ctx context.Context, pdb *policyv1.PodDisruptionBudget, cause error) error {
	updated := pdb.DeepCopy()
	updated.Status.DisruptionsAllowed = 0
	if updated.Status.Conditions == nil {
		updated.Status.Conditions = []metav1.Condition{}
	}
	meta.SetStatusCondition(&updated.Status.Conditions, metav1.Condition{
		Type:               policyv1.DisruptionAllowedCondition,
		Status:             metav1.ConditionFalse,
		Reason:             policyv1.SyncFailedReason,
		Message:            cause.Error(),
		ObservedGeneration: updated.Status.ObservedGeneration,
	})
	return r.client.Status().Update(ctx, updated)
}
