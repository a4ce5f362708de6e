package resourcequota

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/resourcequota/evaluator"
)

// allScopes are the scopes whose match may change with an object.
var allScopes = []corev1.ScopedResourceSelectorRequirement{
	{ScopeName: corev1.ResourceQuotaScopeTerminating, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopeNotTerminating, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopeBestEffort, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopeNotBestEffort, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopeCrossNamespacePodAffinity, Operator: corev1.ScopeSelectorOpExists},
	{ScopeName: corev1.ResourceQuotaScopeVolumeAttributesClass, Operator: corev1.ScopeSelectorOpExists},
}

// countedHandler recounts the quotas of a namespace that limit the evaluator's resources when
// an object of its kind comes, goes, or changes what it uses. (Upstream recounts on deletions
// and some updates only, as its admission plugin charges creations; skiff's apiserver does not
// enforce quota yet, so creations recount too.)
func (r *Reconciler) countedHandler(ev quota.Evaluator) handler.EventHandler {
	enqueue := func(ctx context.Context, obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		quotas, err := r.quotasTracking(ctx, obj.GetNamespace(), ev)
		if err != nil {
			log.FromContext(ctx).Error(err, "Listing quotas to replenish", "namespace", obj.GetNamespace())
			return
		}
		for i := range quotas {
			q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&quotas[i])})
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if usageChanged(ev, e.ObjectOld, e.ObjectNew) {
				enqueue(ctx, e.ObjectNew, q)
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, q)
		},
	}
}

// usageChanged says whether an update changes what the object uses or which scopes it is in.
func usageChanged(ev quota.Evaluator, old, cur client.Object) bool {
	if o, ok := old.(*corev1.PersistentVolumeClaim); ok {
		if c, ok := cur.(*corev1.PersistentVolumeClaim); ok && evaluator.RequiresQuotaReplenish(c, o) {
			return true
		}
	}
	oldUsage, err1 := ev.Usage(old)
	curUsage, err2 := ev.Usage(cur)
	if err1 != nil || err2 != nil || !quota.Equals(oldUsage, curUsage) {
		return true
	}
	oldScopes, err1 := ev.MatchingScopes(old, allScopes)
	curScopes, err2 := ev.MatchingScopes(cur, allScopes)
	if err1 != nil || err2 != nil {
		return true
	}
	names := func(s []corev1.ScopedResourceSelectorRequirement) sets.Set[corev1.ResourceQuotaScope] {
		out := sets.New[corev1.ResourceQuotaScope]()
		for _, x := range s {
			out.Insert(x.ScopeName)
		}
		return out
	}
	return !names(oldScopes).Equal(names(curScopes))
}
