package statefulset

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/internal/history"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// staleRetry is how soon a sync held back by a stale cache is tried again (the watch event
// that brings the cache up to date usually comes first).
const staleRetry = 100 * time.Millisecond

// Reconcile syncs one StatefulSet.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	if err := r.writes.ready(ctx, req.NamespacedName); err != nil {
		logger.V(4).Info("Cache behind the controller's writes, waiting", "reason", err.Error())
		return reconcile.Result{RequeueAfter: staleRetry}, nil
	}
	set := &appsv1.StatefulSet{}
	if err := r.client.Get(ctx, req.NamespacedName, set); err != nil {
		if apierrors.IsNotFound(err) {
			r.writes.forget(req.NamespacedName)
			logger.V(2).Info("StatefulSet has been deleted")
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("reading statefulset: %w", err)
	}
	selector, err := metav1.LabelSelectorAsSelector(set.Spec.Selector)
	if err != nil {
		// A bad selector does not get better by retrying.
		logger.Error(err, "Error converting StatefulSet selector")
		return reconcile.Result{}, nil
	}
	claimer := &history.Claimer{Client: r.client, Live: r.live, Owner: set, Kind: controllerKind, Selector: selector}
	if err := r.adoptOrphanRevisions(ctx, set, selector, claimer); err != nil {
		return reconcile.Result{}, err
	}
	pods, err := r.claimPods(ctx, set, selector, claimer)
	if err != nil {
		return reconcile.Result{}, err
	}

	now := r.clock.Now()
	status, err := r.syncSet(ctx, set, pods, now)
	if err != nil {
		return reconcile.Result{}, err
	}
	if mrs := set.Spec.MinReadySeconds; mrs > 0 && status != nil && status.ReadyReplicas != status.AvailableReplicas {
		after := time.Duration(mrs) * time.Second
		if next := nextAvailabilityCheck(pods, mrs, now); next != nil {
			after = *next
		}
		return reconcile.Result{RequeueAfter: after}, nil
	}
	return reconcile.Result{}, nil
}

// syncSet computes the revisions, syncs the pods, stores the status and trims the history.
func (r *Reconciler) syncSet(ctx context.Context, set *appsv1.StatefulSet, pods []*corev1.Pod, now time.Time) (*appsv1.StatefulSetStatus, error) {
	set = set.DeepCopy()
	selector, _ := metav1.LabelSelectorAsSelector(set.Spec.Selector)
	revisions, err := r.history.List(ctx, set, selector)
	if err != nil {
		return nil, err
	}
	history.Sort(revisions)
	current, update, collisionCount, err := r.revisions(ctx, set, revisions)
	if err != nil {
		return nil, err
	}
	status, syncErr := r.syncPods(ctx, set, current, update, collisionCount, pods, now)
	var statusErr error
	if status != nil {
		statusErr = r.writeStatus(ctx, set, status)
	}
	truncErr := r.truncateHistory(ctx, set, pods, revisions, current, update)
	if err := errors.Join(syncErr, statusErr, truncErr); err != nil {
		return nil, err
	}
	return status, nil
}

// writeStatus stores status when it differs from what the set records.
func (r *Reconciler) writeStatus(ctx context.Context, set *appsv1.StatefulSet, status *appsv1.StatefulSetStatus) error {
	completeUpdate(set, status)
	if !statusChanged(set, status) {
		return nil
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		set.Status = *status
		err := r.client.Status().Update(ctx, set)
		if err == nil {
			r.writes.wrote(set, "statefulsets", set.ResourceVersion)
			return nil
		}
		fresh := &appsv1.StatefulSet{}
		if getErr := r.client.Get(ctx, client.ObjectKeyFromObject(set), fresh); getErr == nil {
			*set = *fresh
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("updating statefulset status: %w", err)
	}
	return nil
}

// adoptOrphanRevisions makes set the controller of the orphan revisions it selects.
func (r *Reconciler) adoptOrphanRevisions(ctx context.Context, set *appsv1.StatefulSet, selector labels.Selector, claimer *history.Claimer) error {
	revisions, err := r.history.List(ctx, set, selector)
	if err != nil {
		return err
	}
	for _, rev := range revisions {
		if metav1.GetControllerOfNoCopy(rev) != nil {
			continue
		}
		if _, err := claimer.Claim(ctx, rev, nil); err != nil {
			return fmt.Errorf("can't adopt ControllerRevisions: %w", err)
		}
	}
	return nil
}

// claimPods returns the pods set owns, adopting orphans it selects whose names make them its
// own and releasing owned pods it no longer selects.
func (r *Reconciler) claimPods(ctx context.Context, set *appsv1.StatefulSet, selector labels.Selector, claimer *history.Claimer) ([]*corev1.Pod, error) {
	var owned, matching corev1.PodList
	if err := r.client.List(ctx, &owned, client.InNamespace(set.Namespace),
		client.MatchingFields{index.ControllerUID: string(set.UID)}); err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	if err := r.client.List(ctx, &matching, client.InNamespace(set.Namespace),
		client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	candidates := make([]*corev1.Pod, 0, len(owned.Items))
	for i := range owned.Items {
		candidates = append(candidates, &owned.Items[i])
	}
	for i := range matching.Items {
		if metav1.GetControllerOfNoCopy(&matching.Items[i]) == nil {
			candidates = append(candidates, &matching.Items[i])
		}
	}
	member := func(o client.Object) bool { return isMemberOf(set, o.(*corev1.Pod)) }
	var claimed []*corev1.Pod
	var errs []error
	for _, pod := range candidates {
		ok, err := claimer.Claim(ctx, pod, member)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			claimed = append(claimed, pod)
		}
	}
	return claimed, errors.Join(errs...)
}
