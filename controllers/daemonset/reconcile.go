package daemonset

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/internal/history"
)

// Reconcile syncs one DaemonSet.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	logger := log.FromContext(ctx)
	key := req.NamespacedName.String()
	ds := &appsv1.DaemonSet{}
	if err := r.client.Get(ctx, req.NamespacedName, ds); err != nil {
		if apierrors.IsNotFound(err) {
			logger.V(3).Info("Daemon set has been deleted")
			r.expectations.Forget(key)
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("unable to retrieve ds %v from store: %w", key, err)
	}
	var nodeList corev1.NodeList
	// Nodes are only read here: sharing the cache's copies spares copying every node of a
	// large cluster on each sync.
	if err := r.client.List(ctx, &nodeList, client.UnsafeDisableDeepCopy); err != nil {
		return reconcile.Result{}, fmt.Errorf("couldn't get list of nodes when syncing daemon set: %w", err)
	}
	nodes := make([]*corev1.Node, len(nodeList.Items))
	for i := range nodeList.Items {
		nodes[i] = &nodeList.Items[i]
	}
	if ds.Spec.Selector == nil || (len(ds.Spec.Selector.MatchLabels) == 0 && len(ds.Spec.Selector.MatchExpressions) == 0) {
		r.recorder.Event(ds, corev1.EventTypeWarning, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.")
		return reconcile.Result{}, nil
	}
	if ds.DeletionTimestamp != nil {
		return reconcile.Result{}, nil
	}
	selector, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("converting selector: %w", err)
	}
	claimer := &history.Claimer{Client: r.client, Live: r.live, Owner: ds, Kind: controllerKind, Selector: selector}
	cur, old, err := r.constructHistory(ctx, ds, claimer)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("failed to construct revisions of DaemonSet: %w", err)
	}
	hash := cur.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]

	if !r.expectations.Satisfied(key) {
		// Earlier creations or deletions are not in the cache yet: only report.
		return r.updateStatus(ctx, ds, nodes, hash, claimer, false)
	}
	syncErr := r.update(ctx, ds, nodes, hash, old, claimer)
	res, statusErr := r.updateStatus(ctx, ds, nodes, hash, claimer, true)
	if err := errors.Join(syncErr, statusErr); err != nil {
		return reconcile.Result{}, err
	}
	return r.withRequeue(req.NamespacedName, res), nil
}

// update creates and deletes pods to match the nodes, rolls out the template and trims the
// history.
func (r *Reconciler) update(ctx context.Context, ds *appsv1.DaemonSet, nodes []*corev1.Node, hash string, old []*appsv1.ControllerRevision, claimer *history.Claimer) error {
	nodeToPods, err := r.nodeToPods(ctx, ds, claimer, false)
	if err != nil {
		return fmt.Errorf("couldn't get node to daemon pod mapping for daemon set %q: %w", ds.Name, err)
	}
	place := newPlacement(ds)
	var needPods, toDelete []string
	for _, node := range nodes {
		need, del := r.podsShouldBeOnNode(ctx, node, nodeToPods, ds, hash, place)
		if need {
			needPods = append(needPods, node.Name)
		}
		toDelete = append(toDelete, del...)
	}
	toDelete = append(toDelete, unscheduledPodsWithoutNode(nodes, nodeToPods)...)
	if err := r.syncNodes(ctx, ds, toDelete, needPods, hash); err != nil {
		return err
	}
	if r.expectations.Satisfied(keyOf(ds)) && ds.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType {
		nodeToPods, err := r.nodeToPods(ctx, ds, claimer, false)
		if err != nil {
			return fmt.Errorf("couldn't get node to daemon pod mapping for daemon set %q: %w", ds.Name, err)
		}
		if err := r.rollingUpdate(ctx, ds, nodes, nodeToPods, hash); err != nil {
			return err
		}
	}
	all, err := r.nodeToPods(ctx, ds, claimer, true)
	if err != nil {
		return fmt.Errorf("couldn't get node to daemon pod mapping for daemon set %q: %w", ds.Name, err)
	}
	if err := r.cleanupHistory(ctx, ds, all, old); err != nil {
		return fmt.Errorf("failed to clean up revisions of DaemonSet: %w", err)
	}
	return nil
}

// updateStatus stores the status the pods give; with minReadySeconds it asks to be back when
// the ready pods should have become available.
func (r *Reconciler) updateStatus(ctx context.Context, ds *appsv1.DaemonSet, nodes []*corev1.Node, hash string, claimer *history.Claimer, observed bool) (reconcile.Result, error) {
	nodeToPods, err := r.nodeToPods(ctx, ds, claimer, false)
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("couldn't get node to daemon pod mapping for daemon set %q: %w", ds.Name, err)
	}
	c := countPods(ds, nodes, nodeToPods, hash, r.clock.Now())
	if err := r.writeStatus(ctx, ds, c, observed); err != nil {
		return reconcile.Result{}, err
	}
	if ds.Spec.MinReadySeconds > 0 && c.ready != c.available {
		return reconcile.Result{RequeueAfter: time.Duration(ds.Spec.MinReadySeconds) * time.Second}, nil
	}
	return reconcile.Result{}, nil
}

// withRequeue folds in a delayed retry asked for during the sync (a failed pod's backoff).
func (r *Reconciler) withRequeue(key types.NamespacedName, res reconcile.Result) reconcile.Result {
	r.mu.Lock()
	after, ok := r.requeue[key]
	delete(r.requeue, key)
	r.mu.Unlock()
	if ok && (res.RequeueAfter == 0 || after < res.RequeueAfter) {
		res.RequeueAfter = after
	}
	return res
}

// requeueAfter asks for ds to be synced again after d.
func (r *Reconciler) requeueAfter(ds *appsv1.DaemonSet, d time.Duration) {
	key := types.NamespacedName{Namespace: ds.Namespace, Name: ds.Name}
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur, ok := r.requeue[key]; !ok || d < cur {
		r.requeue[key] = d
	}
}

func keyOf(ds *appsv1.DaemonSet) string {
	return types.NamespacedName{Namespace: ds.Namespace, Name: ds.Name}.String()
}
