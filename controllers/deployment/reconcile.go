package deployment

import (
	"context"
	"fmt"
	"reflect"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/internal/index"
	"github.com/skiff-sh/skiff/controllers/replicaset"
)

// conflictRetry is when a sync that hit a write conflict runs again at the latest.
const conflictRetry = time.Second

// syncRun is one sync of one Deployment; requeueAfter is set when the progress deadline
// must be checked again later.
type syncRun struct {
	*Reconciler
	requeueAfter time.Duration
}

// Reconcile syncs one Deployment, in upstream's order: claim ReplicaSets; a deleted
// Deployment only gets its status; paused ones are scaled but not rolled out; then a
// rollback, a scaling event, or a step of the strategy's rollout.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	d := &appsv1.Deployment{}
	if err := r.client.Get(ctx, req.NamespacedName, d); err != nil {
		if apierrors.IsNotFound(err) {
			logger.V(2).Info("Deployment has been deleted")
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, err
	}
	s := &syncRun{Reconciler: r}
	err := s.syncDeployment(ctx, d)
	switch {
	case err != nil && apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		return reconcile.Result{}, nil // the namespace is going; nothing to retry
	case apierrors.IsConflict(err):
		// Written from a cache older than the object: its newer version is on the way
		// and queues the Deployment again; look once more in any case.
		logger.V(2).Info("Error syncing deployment", "err", err)
		return reconcile.Result{RequeueAfter: conflictRetry}, nil
	}
	return reconcile.Result{RequeueAfter: s.requeueAfter}, err
}

func (s *syncRun) syncDeployment(ctx context.Context, d *appsv1.Deployment) error {
	if reflect.DeepEqual(d.Spec.Selector, &metav1.LabelSelector{}) {
		s.recorder.Eventf(d, corev1.EventTypeWarning, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.")
		if d.Status.ObservedGeneration < d.Generation {
			d.Status.ObservedGeneration = d.Generation
			if err := s.client.Status().Update(ctx, d); err != nil {
				log.FromContext(ctx).V(2).Info("Recording the observed generation", "err", err)
			}
		}
		return nil
	}
	rsList, err := s.replicaSetsFor(ctx, d)
	if err != nil {
		return err
	}
	if d.DeletionTimestamp != nil {
		return s.syncStatusOnly(ctx, d, rsList)
	}
	if err := s.checkPausedConditions(ctx, d); err != nil {
		return err
	}
	if d.Spec.Paused {
		return s.sync(ctx, d, rsList)
	}
	if rollbackTo(d) != nil {
		return s.rollback(ctx, d, rsList)
	}
	scaling, err := s.isScalingEvent(ctx, d, rsList)
	if err != nil {
		return err
	}
	if scaling {
		return s.sync(ctx, d, rsList)
	}
	switch d.Spec.Strategy.Type {
	case appsv1.RecreateDeploymentStrategyType:
		pods, err := s.podsByReplicaSet(ctx, rsList)
		if err != nil {
			return err
		}
		return s.rolloutRecreate(ctx, d, rsList, pods)
	case appsv1.RollingUpdateDeploymentStrategyType:
		return s.rolloutRolling(ctx, d, rsList)
	}
	return fmt.Errorf("unexpected deployment strategy type: %s", d.Spec.Strategy.Type)
}

// replicaSetsFor claims d's ReplicaSets: those it controls and still selects, and matching
// orphans it adopts; ReplicaSets it no longer selects are released.
func (s *syncRun) replicaSetsFor(ctx context.Context, d *appsv1.Deployment) ([]*appsv1.ReplicaSet, error) {
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, fmt.Errorf("deployment %s/%s has invalid label selector: %w", d.Namespace, d.Name, err)
	}
	candidates, err := s.candidateReplicaSets(ctx, d, selector)
	if err != nil {
		return nil, err
	}
	m := &replicaset.RefManager{
		Client:     s.client,
		Owner:      d,
		OwnerGVK:   controllerKind,
		ObjectKind: "ReplicaSet",
		CanAdopt:   replicaset.RecheckOwner(s.reader, d, &appsv1.Deployment{}, "Deployment"),
	}
	var claimed []*appsv1.ReplicaSet
	var errs []error
	for _, rs := range candidates {
		ok, err := m.Claim(ctx, rs, selector.Matches(labels.Set(rs.Labels)))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			claimed = append(claimed, rs)
		}
	}
	return claimed, utilerrors.NewAggregate(errs)
}

// candidateReplicaSets lists the cached ReplicaSets d may claim: those it controls (through
// the controller index, so that a namespace of many Deployments is not copied whole on every
// sync) and the orphans its selector matches.
func (s *syncRun) candidateReplicaSets(ctx context.Context, d *appsv1.Deployment, selector labels.Selector) ([]*appsv1.ReplicaSet, error) {
	var owned, matching appsv1.ReplicaSetList
	if err := s.client.List(ctx, &owned, client.InNamespace(d.Namespace), client.MatchingFields{index.ControllerUID: string(d.UID)}); err != nil {
		return nil, fmt.Errorf("listing replica sets: %w", err)
	}
	out := make([]*appsv1.ReplicaSet, 0, len(owned.Items))
	for i := range owned.Items {
		out = append(out, &owned.Items[i])
	}
	if selector.Empty() {
		return out, nil // selects nothing to adopt (an empty selector is refused before)
	}
	if err := s.client.List(ctx, &matching, client.InNamespace(d.Namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, fmt.Errorf("listing replica sets: %w", err)
	}
	for i := range matching.Items {
		if metav1.GetControllerOfNoCopy(&matching.Items[i]) == nil {
			out = append(out, &matching.Items[i])
		}
	}
	return out, nil
}

// podsByReplicaSet lists the cached pods each ReplicaSet controls.
func (s *syncRun) podsByReplicaSet(ctx context.Context, rss []*appsv1.ReplicaSet) (map[types.UID][]*corev1.Pod, error) {
	out := make(map[types.UID][]*corev1.Pod, len(rss))
	for _, rs := range rss {
		var pods corev1.PodList
		if err := s.client.List(ctx, &pods, client.InNamespace(rs.Namespace), client.MatchingFields{index.ControllerUID: string(rs.UID)}); err != nil {
			return nil, fmt.Errorf("listing pods: %w", err)
		}
		for i := range pods.Items {
			out[rs.UID] = append(out[rs.UID], &pods.Items[i])
		}
	}
	return out, nil
}

// updateStatus writes d's status; d takes the stored object's new resource version, so that
// a later write in the same sync does not conflict with this one.
func (s *syncRun) updateStatus(ctx context.Context, d *appsv1.Deployment) error {
	return s.client.Status().Update(ctx, d)
}
