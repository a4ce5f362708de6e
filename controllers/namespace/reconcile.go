package namespace

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconcile deletes the content of a namespace being deleted; while some remains it looks
// again after half the estimated time.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var ns corev1.Namespace
	if err := r.Client.Get(ctx, types.NamespacedName{Name: req.Name}, &ns); err != nil {
		if apierrors.IsNotFound(err) {
			log.FromContext(ctx).Info("Namespace has been deleted", "namespace", req.Name)
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("getting namespace %s: %w", req.Name, err)
	}
	err := r.Deleter.Delete(ctx, ns.Name)
	if remaining, ok := errors.AsType[*ResourcesRemainingError](err); ok {
		wait := time.Duration(remaining.Estimate/2+1) * time.Second
		log.FromContext(ctx).V(4).Info("Content remaining in namespace", "namespace", ns.Name, "waitSeconds", wait.Seconds())
		return reconcile.Result{RequeueAfter: wait}, nil
	}
	if err != nil {
		return reconcile.Result{}, fmt.Errorf("deletion of namespace %s failed: %w", ns.Name, err)
	}
	return reconcile.Result{}, nil
}
