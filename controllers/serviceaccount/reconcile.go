package serviceaccount

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconcile creates the default ServiceAccount in an active namespace that lacks it.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	var ns corev1.Namespace
	if err := r.Client.Get(ctx, types.NamespacedName{Name: req.Name}, &ns); err != nil {
		if apierrors.IsNotFound(err) {
			return reconcile.Result{}, nil
		}
		return reconcile.Result{}, fmt.Errorf("getting namespace %s: %w", req.Name, err)
	}
	if ns.Status.Phase != corev1.NamespaceActive {
		return reconcile.Result{}, nil
	}
	var sa corev1.ServiceAccount
	err := r.Client.Get(ctx, types.NamespacedName{Namespace: ns.Name, Name: DefaultName}, &sa)
	switch {
	case err == nil:
		return reconcile.Result{}, nil
	case !apierrors.IsNotFound(err):
		return reconcile.Result{}, fmt.Errorf("getting service account %s/%s: %w", ns.Name, DefaultName, err)
	}
	sa = corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns.Name, Name: DefaultName}}
	err = r.Client.Create(ctx, &sa)
	if err == nil {
		log.FromContext(ctx).V(2).Info("Created the default service account", "namespace", ns.Name)
		return reconcile.Result{}, nil
	}
	if ignoreCreateError(err) {
		return reconcile.Result{}, nil
	}
	return reconcile.Result{}, fmt.Errorf("creating service account %s/%s: %w", ns.Name, DefaultName, err)
}

// ignoreCreateError: the ServiceAccount is there already, or its namespace is going away.
func ignoreCreateError(err error) bool {
	return apierrors.IsAlreadyExists(err) || apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause)
}
