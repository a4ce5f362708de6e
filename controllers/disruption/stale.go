package disruption

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
)

// staleConditionReconciler resets to False the DisruptionTarget condition of pods that carry
// it for stalePodDisruptionTimeout without being deleted (an eviction whose delete failed).
type staleConditionReconciler struct {
	client client.Client
	clock  clock.PassiveClock
}

// predicate passes only pods with a condition to watch.
func (s *staleConditionReconciler) predicate() predicate.Predicate {
	return predicate.NewPredicateFuncs(func(obj client.Object) bool {
		pod, ok := obj.(*corev1.Pod)
		return ok && staleConditionSince(pod) != nil
	})
}

// staleConditionSince returns when the pod's DisruptionTarget condition turned True, if the
// pod has one that may go stale.
func staleConditionSince(pod *corev1.Pod) *metav1.Time {
	if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return nil
	}
	for i := range pod.Status.Conditions {
		c := &pod.Status.Conditions[i]
		if c.Type == corev1.DisruptionTarget {
			if c.Status != corev1.ConditionTrue || c.Reason == corev1.PodReasonTerminationByKubelet {
				return nil
			}
			return &c.LastTransitionTime
		}
	}
	return nil
}

// Reconcile clears the condition once it is stale, or looks again when it will be.
func (s *staleConditionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var pod corev1.Pod
	if err := s.client.Get(ctx, req.NamespacedName, &pod); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	since := staleConditionSince(&pod)
	if since == nil {
		return ctrl.Result{}, nil
	}
	if wait := stalePodDisruptionTimeout - s.clock.Since(since.Time); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	updated := pod.DeepCopy()
	for i := range updated.Status.Conditions {
		if updated.Status.Conditions[i].Type == corev1.DisruptionTarget {
			updated.Status.Conditions[i] = corev1.PodCondition{
				Type:               corev1.DisruptionTarget,
				Status:             corev1.ConditionFalse,
				ObservedGeneration: pod.Generation,
				LastTransitionTime: metav1.NewTime(s.clock.Now()),
			}
		}
	}
	if err := s.client.Status().Update(ctx, updated); err != nil {
		return ctrl.Result{}, err
	}
	log.FromContext(ctx).V(2).Info("Reset stale DisruptionTarget condition to False")
	return ctrl.Result{}, nil
}
