package garbagecollector

import (
	"context"
	"errors"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// orphanParallelism bounds the dependents patched at once.
const orphanParallelism = 16

func (gc *GarbageCollector) processAttemptToOrphan(ctx context.Context) bool {
	owner, quit := gc.attemptToOrphan.Get()
	if quit {
		return false
	}
	defer gc.attemptToOrphan.Done(owner)
	if err := gc.orphan(ctx, owner); err != nil {
		log.FromContext(ctx).Error(err, "orphaning failed", "owner", owner.identity)
		gc.attemptToOrphan.AddRateLimited(owner)
		return true
	}
	gc.attemptToOrphan.Forget(owner)
	return true
}

// orphan removes the ownerReferences to owner from its dependents, then the orphan finalizer
// from owner.
func (gc *GarbageCollector) orphan(ctx context.Context, owner *node) error {
	if err := gc.orphanDependents(ctx, owner.identity, gc.graph.dependents(owner)); err != nil {
		return fmt.Errorf("orphanDependents for %s failed with %w", owner.identity, err)
	}
	if err := gc.removeFinalizer(ctx, owner, metav1.FinalizerOrphanDependents); err != nil {
		return fmt.Errorf("removeOrphanFinalizer for %s failed with %w", owner.identity, err)
	}
	return nil
}

func (gc *GarbageCollector) orphanDependents(ctx context.Context, owner objectRef, dependents []*node) error {
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, orphanParallelism)
	)
	for _, dep := range dependents {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			// A dependent without the reference is no error to a strategic merge patch.
			err := gc.removeOwnerRefs(ctx, dep.identity, owner.UID)
			if err != nil && !apierrors.IsNotFound(err) {
				mu.Lock()
				errs = append(errs, fmt.Errorf("orphaning %s failed, %w", dep.identity, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("failed to orphan dependents of owner %s, got errors: %w", owner, errors.Join(errs...))
	}
	log.FromContext(ctx).V(5).Info("successfully updated all dependents", "owner", owner)
	return nil
}
