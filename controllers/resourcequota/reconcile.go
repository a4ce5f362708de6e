package resourcequota

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	quota "k8s.io/apiserver/pkg/quota/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// Reconcile recounts the usage of the ResourceQuota named in req and writes its status.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var rq corev1.ResourceQuota
	if err := r.client.Get(ctx, req.NamespacedName, &rq); err != nil {
		if client.IgnoreNotFound(err) == nil {
			log.FromContext(ctx).Info("Resource quota has been deleted")
		}
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	// Watch (and wait for) every kind the quota counts, so that later changes recount it.
	if err := r.monitor.ensure(ctx, quota.ResourceNames(rq.Spec.Hard)); err != nil {
		return ctrl.Result{}, fmt.Errorf("watching the resources of quota %s: %w", req, err)
	}
	updated, err := usage(&rq, r.registry)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	if updated != nil {
		if err := r.client.Status().Update(ctx, updated); err != nil {
			errs = append(errs, fmt.Errorf("updating status of quota %s: %w", req, err))
		}
	}
	if err := utilerrors.NewAggregate(errs); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: resyncPeriod}, nil
}

// usage returns rq with status.hard set from spec.hard and status.used recounted for the
// resources in hard, or nil when the status is current. Resources an evaluator failed on keep
// their previous usage; the error says which failed.
func usage(rq *corev1.ResourceQuota, registry quota.Registry) (*corev1.ResourceQuota, error) {
	dirty := !apiequality.Semantic.DeepEqual(rq.Spec.Hard, rq.Status.Hard) || rq.Status.Hard == nil || rq.Status.Used == nil
	used := corev1.ResourceList{}
	if rq.Status.Used != nil {
		used = quota.Add(corev1.ResourceList{}, rq.Status.Used)
	}
	hard := quota.Add(corev1.ResourceList{}, rq.Spec.Hard)
	newUsage, err := quota.CalculateUsage(rq.Namespace, rq.Spec.Scopes, hard, registry, rq.Spec.ScopeSelector)
	for name, value := range newUsage {
		used[name] = value
	}
	used = quota.Mask(used, quota.ResourceNames(hard))
	dirty = dirty || !quota.Equals(used, rq.Status.Used)
	if !dirty {
		return nil, err
	}
	out := rq.DeepCopy()
	out.Status = corev1.ResourceQuotaStatus{Hard: hard, Used: used}
	return out, err
}
