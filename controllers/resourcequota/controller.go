package resourcequota

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	quota "k8s.io/apiserver/pkg/quota/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "resourcequota"

// resyncPeriod is how often every quota is recounted in full, whatever happened
// (kube-controller-manager's --resource-quota-sync-period).
const resyncPeriod = 5 * time.Minute

// Reconciler writes each ResourceQuota's status: hard as in its spec, used as measured by
// the evaluators of the resources it limits.
type Reconciler struct {
	client   client.Client
	registry quota.Registry
	monitor  *monitor
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	r := &Reconciler{client: mgr.GetClient()}
	r.monitor = newMonitor(mgr.GetCache(), mgr.GetRESTMapper(), cfg.Clock, r.countedHandler)
	r.registry = r.monitor.registry
	c, err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.ResourceQuota{}, builder.WithPredicates(hardChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Build(r)
	if err != nil {
		return err
	}
	r.monitor.controller = c
	return nil
}

// hardChanged passes quota events except updates that leave spec.hard alone (such as the
// controller's own status writes).
func hardChanged() predicate.Predicate {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			old, okOld := e.ObjectOld.(*corev1.ResourceQuota)
			cur, okCur := e.ObjectNew.(*corev1.ResourceQuota)
			return !okOld || !okCur || !quota.Equals(old.Spec.Hard, cur.Spec.Hard)
		},
	}
}

// quotasTracking lists the quotas of namespace that limit one of the evaluator's resources.
func (r *Reconciler) quotasTracking(ctx context.Context, namespace string, ev quota.Evaluator) ([]corev1.ResourceQuota, error) {
	var list corev1.ResourceQuotaList
	if err := r.client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return nil, err
	}
	var out []corev1.ResourceQuota
	for _, q := range list.Items {
		names := quota.ResourceNames(quota.Add(quota.Add(corev1.ResourceList{}, q.Spec.Hard), q.Status.Hard))
		if len(ev.MatchingResources(names)) > 0 {
			out = append(out, q)
		}
	}
	return out, nil
}
