package replicaset

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconcile syncs one owner: claims its pods, creates or deletes pods to match its replica
// count (once the cache has caught up with earlier creations and deletions) and writes its
// status.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	key := req.String()
	owner := r.kind.New()
	if err := r.client.Get(ctx, req.NamespacedName, owner); err != nil {
		if apierrors.IsNotFound(err) {
			logger.V(4).Info("Deleted", "kind", r.kind.GVK.Kind, "key", key)
			r.exp.forget(key)
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	rs := r.kind.ToReplicaSet(owner)
	needsSync := r.exp.satisfied(key)
	selector, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
	if err != nil {
		logger.Error(err, "Invalid pod selector", "kind", r.kind.GVK.Kind)
		return reconcile.Result{}, nil // retrying will not fix the object
	}

	pods, err := r.podsOf(rs, selector)
	if err != nil {
		return reconcile.Result{}, err
	}
	active, err := r.claimPods(ctx, owner, selector, filterPods(pods, isPodActive))
	if err != nil {
		return reconcile.Result{}, err
	}
	var terminating []*corev1.Pod
	if r.kind.TerminatingReplicas {
		terminating = filterPods(pods, func(p *corev1.Pod) bool {
			return isPodTerminating(p) && isControlledBy(p, owner) && selector.Matches(labels.Set(p.Labels))
		})
	}

	var manageErr error
	if needsSync && rs.DeletionTimestamp == nil {
		manageErr = r.manageReplicas(ctx, owner, rs, active)
	}
	now := r.clock.Now()
	status := calculateStatus(rs, active, terminating, manageErr, r.kind.TerminatingReplicas, now)
	updated, err := r.updateStatus(ctx, owner, rs, status)
	if apierrors.IsConflict(err) && manageErr == nil {
		// The owner changed meanwhile: its new version queues it again; look once more
		// in any case.
		logger.V(2).Info("Conflict updating status", "err", err)
		return reconcile.Result{RequeueAfter: time.Second}, nil
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	if manageErr != nil {
		return reconcile.Result{}, manageErr
	}
	// Pods that are ready but not yet available become so minReadySeconds after turning ready.
	if updated.Spec.MinReadySeconds > 0 && updated.Status.ReadyReplicas != updated.Status.AvailableReplicas {
		after := time.Duration(updated.Spec.MinReadySeconds) * time.Second
		if next := nextAvailabilityCheck(active, updated.Spec.MinReadySeconds, now, r.clock.Now()); next != nil {
			after = max(*next, time.Millisecond)
		}
		return reconcile.Result{RequeueAfter: after}, nil
	}
	return reconcile.Result{}, nil
}

// podsOf lists the cached pods the owner controls and the orphans its selector matches (the
// ones it may adopt).
func (r *Reconciler) podsOf(rs *appsv1.ReplicaSet, selector labels.Selector) ([]*corev1.Pod, error) {
	// The informer's own pods (see index.ControlledPods): nothing here may modify them (claim
	// patches copies).
	owned, err := r.pods.ControlledBy(rs.UID)
	if err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	orphans, err := r.pods.Orphans(rs.Namespace)
	if err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	for _, pod := range orphans {
		if selector.Matches(labels.Set(pod.Labels)) {
			owned = append(owned, pod)
		}
	}
	return owned, nil
}

// claimPods keeps the pods the owner controls and still selects, adopts matching orphans and
// releases its pods that no longer match.
func (r *Reconciler) claimPods(ctx context.Context, owner client.Object, selector labels.Selector, pods []*corev1.Pod) ([]*corev1.Pod, error) {
	m := &RefManager{
		Client:     r.client,
		Owner:      owner,
		OwnerGVK:   r.kind.GVK,
		ObjectKind: "Pod",
		CanAdopt:   RecheckOwner(r.reader, owner, r.kind.New(), r.kind.GVK.Kind),
	}
	var claimed []*corev1.Pod
	var errs []error
	for _, pod := range pods {
		ok, err := m.Claim(ctx, pod, selector.Matches(labels.Set(pod.Labels)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			claimed = append(claimed, pod)
		}
	}
	return claimed, utilerrors.NewAggregate(errs)
}
