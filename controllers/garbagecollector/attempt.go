package garbagecollector

import (
	"context"
	"errors"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// errVirtualDeleteQueued: the object is gone and a virtual delete event will take it out of
// the graph; no need to look again.
var errVirtualDeleteQueued = errors.New("enqueued virtual delete event")

func (gc *GarbageCollector) processAttemptToDelete(ctx context.Context) bool {
	n, quit := gc.attemptToDelete.Get()
	if quit {
		return false
	}
	defer gc.attemptToDelete.Done(n)
	if gc.attemptToDeleteNode(ctx, n) {
		gc.attemptToDelete.AddRateLimited(n)
	} else {
		gc.attemptToDelete.Forget(n)
	}
	return true
}

// attemptToDeleteNode looks at n and reports whether to look again later.
func (gc *GarbageCollector) attemptToDeleteNode(ctx context.Context, n *node) bool {
	logger := log.FromContext(ctx)
	if !gc.graph.observed(n) {
		// A requeued virtual node may have been replaced or removed meanwhile.
		current, ok := gc.graph.get(n.identity.UID)
		if !ok {
			logger.V(5).Info("item no longer in the graph, skipping attemptToDeleteItem", "item", n.identity)
			return false
		}
		if gc.graph.observed(current) {
			logger.V(5).Info("item no longer virtual in the graph, skipping attemptToDeleteItem on virtual node", "item", n.identity)
			return false
		}
	}
	err := gc.attemptToDeleteItem(ctx, n)
	var mapping *restMappingError
	switch {
	case errors.Is(err, errVirtualDeleteQueued), errors.Is(err, errNamespacedOwnerOfClusterScoped):
		return false
	case errors.As(err, &mapping):
		// A custom resource not discovered yet, or a kind that does not exist: try again.
		logger.V(5).Info("error syncing item", "item", n.identity, "err", err)
		return true
	case err != nil:
		logger.Error(err, "error syncing item", "item", n.identity)
		return true
	case !gc.graph.observed(n):
		// Until an informer shows it; otherwise a virtual node of an object created and
		// deleted while a watch was down would stay (kubernetes#56121).
		logger.V(5).Info("item hasn't been observed via informer yet", "item", n.identity)
		return true
	}
	return false
}

// attemptToDeleteItem reads n's object live and deletes it when all its owners are gone (or
// waiting for their dependents), removes its references to absent owners when others remain,
// and finishes foreground deletion of n once its blocking dependents are gone.
func (gc *GarbageCollector) attemptToDeleteItem(ctx context.Context, n *node) error {
	logger := log.FromContext(ctx)
	st := gc.graph.state(n)
	logger.V(2).Info("Processing item", "item", n.identity, "virtual", st.virtual)
	if st.beingDeleted && !st.deletingDependents {
		// On its way out: its dependents get looked at when it is gone.
		return nil
	}
	latest, err := gc.getObject(ctx, n.identity)
	switch {
	case apierrors.IsNotFound(err):
		logger.V(5).Info("item not found, generating a virtual delete event", "item", n.identity)
		gc.enqueueVirtualDelete(n.identity)
		return errVirtualDeleteQueued
	case err != nil:
		return err
	}
	if latest.UID != n.identity.UID {
		logger.V(5).Info("UID doesn't match, item not found, generating a virtual delete event", "item", n.identity)
		gc.enqueueVirtualDelete(n.identity)
		return errVirtualDeleteQueued
	}
	if st.deletingDependents {
		return gc.processDeletingDependents(ctx, n)
	}
	if len(latest.OwnerReferences) == 0 {
		logger.V(2).Info("item doesn't have an owner, continue on next item", "item", n.identity)
		return nil
	}
	c, err := gc.classify(ctx, n, latest.OwnerReferences)
	if err != nil {
		return err
	}
	logger.V(5).Info("classify item's references", "item", n.identity, "solid", c.solid, "dangling", c.dangling, "waitingForDependentsDeletion", c.waiting)

	switch {
	case len(c.solid) > 0:
		logger.V(2).Info("item has at least one existing owner, will not garbage collect", "item", n.identity, "owner", c.solid)
		if len(c.dangling) == 0 && len(c.waiting) == 0 {
			return nil
		}
		// References to owners waiting for their dependents go too, or those owners would
		// wait forever.
		logger.V(2).Info("remove dangling references and waiting references for item", "item", n.identity, "dangling", c.dangling, "waitingForDependentsDeletion", c.waiting)
		return gc.removeOwnerRefs(ctx, n.identity, append(uidsOf(c.dangling), uidsOf(c.waiting)...)...)
	case len(c.waiting) > 0 && gc.graph.state(n).dependents > 0:
		if gc.graph.anyDependentDeletingDependents(n) {
			// Owner and dependent both wait for their dependents: a possible cycle. Stop
			// blocking the owners, then delete in the foreground.
			logger.V(2).Info("processing item, some of its owners and its dependent have FinalizerDeletingDependents, to prevent potential cycle, its ownerReferences are going to be modified to be non-blocking, then the item is going to be deleted with Foreground", "item", n.identity)
			if err := gc.unblockOwnerRefs(ctx, n); err != nil {
				return err
			}
		}
		logger.V(2).Info("at least one owner of item has FinalizerDeletingDependents, and the item itself has dependents, so it is going to be deleted in Foreground", "item", n.identity)
		return gc.deleteOrVirtual(ctx, n, latest, metav1.DeletePropagationForeground)
	default:
		policy := propagationFor(latest)
		logger.V(2).Info("Deleting item", "item", n.identity, "propagationPolicy", policy)
		return gc.deleteOrVirtual(ctx, n, latest, policy)
	}
}

// deleteOrVirtual deletes n's object as of latest; if it is already gone the graph is told.
func (gc *GarbageCollector) deleteOrVirtual(ctx context.Context, n *node, latest *metav1.PartialObjectMetadata, policy metav1.DeletionPropagation) error {
	err := gc.deleteObject(ctx, n.identity, latest.ResourceVersion, latest.OwnerReferences, policy)
	if apierrors.IsNotFound(err) {
		gc.enqueueVirtualDelete(n.identity)
		return errVirtualDeleteQueued
	}
	return err
}

// propagationFor is how an ownerless object is deleted: as its finalizers already say, else
// in the background.
func propagationFor(obj metav1.Object) metav1.DeletionPropagation {
	switch {
	case hasFinalizer(obj, metav1.FinalizerOrphanDependents):
		return metav1.DeletePropagationOrphan
	case hasFinalizer(obj, metav1.FinalizerDeleteDependents):
		return metav1.DeletePropagationForeground
	}
	return metav1.DeletePropagationBackground
}

// processDeletingDependents finishes n's foreground deletion when no dependent blocks it any
// more, else queues the blocking dependents for deletion.
func (gc *GarbageCollector) processDeletingDependents(ctx context.Context, n *node) error {
	blocking, deleting := gc.graph.blockingDependents(n)
	if len(blocking) == 0 {
		log.FromContext(ctx).V(2).Info("remove DeleteDependents finalizer for item", "item", n.identity)
		return gc.removeFinalizer(ctx, n, metav1.FinalizerDeleteDependents)
	}
	for i, dep := range blocking {
		if !deleting[i] {
			log.FromContext(ctx).V(2).Info("adding dependent to attemptToDelete, because its owner is deletingDependents", "item", n.identity, "dependent", dep.identity)
			gc.attemptToDelete.Add(dep)
		}
	}
	return nil
}
