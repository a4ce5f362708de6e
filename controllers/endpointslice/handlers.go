package endpointslice

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	endpointslicerec "k8s.io/endpointslice"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// topologyRequest is the queue item that re-reads the nodes for topology hints; Services are
// namespaced, so no Service has this key.
var topologyRequest = reconcile.Request{NamespacedName: types.NamespacedName{Name: "topology"}}

// sliceHandler queues a Service, a little later, when one of its slices changed in a way this
// controller did not cause (upstream's rules, through the tracker).
func (r *Reconciler) sliceHandler() handler.EventHandler {
	queue := func(slice *discoveryv1.EndpointSlice, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		key, err := endpointslicerec.ServiceControllerKey(slice)
		if err != nil {
			return
		}
		ns, name, err := cache.SplitMetaNamespaceKey(key)
		if err != nil {
			return
		}
		q.AddAfter(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}, sliceChangeDelay)
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			slice := e.Object.(*discoveryv1.EndpointSlice)
			if r.reconciler.ManagedByController(slice) && r.tracker.ShouldSync(slice) {
				queue(slice, q)
			}
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			prev, cur := e.ObjectOld.(*discoveryv1.EndpointSlice), e.ObjectNew.(*discoveryv1.EndpointSlice)
			if svc, prevSvc := cur.Labels[discoveryv1.LabelServiceName], prev.Labels[discoveryv1.LabelServiceName]; svc != prevSvc {
				log.FromContext(ctx).Info("label changed", "label", discoveryv1.LabelServiceName, "oldService", prevSvc, "newService", svc, "endpointslice", cur.Name)
				queue(cur, q)
				queue(prev, q)
				return
			}
			if r.reconciler.ManagedByChanged(prev, cur) || (r.reconciler.ManagedByController(cur) && r.tracker.ShouldSync(cur)) {
				queue(cur, q)
			}
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			slice, ok := e.Object.(*discoveryv1.EndpointSlice)
			if !ok || !r.reconciler.ManagedByController(slice) || !r.tracker.Has(slice) {
				return
			}
			// A deletion this controller expected needs nothing more.
			if !r.tracker.HandleDeletion(slice) {
				queue(slice, q)
			}
		},
	}
}

// nodeHandler re-reads the nodes for topology hints when one comes, goes, changes zone or
// readiness.
func (r *Reconciler) nodeHandler() handler.EventHandler {
	check := func(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		r.setQueue(q)
		q.Add(topologyRequest)
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, _ event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			check(q)
		},
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			prev, cur := e.ObjectOld.(*corev1.Node), e.ObjectNew.(*corev1.Node)
			if isNodeReady(prev) != isNodeReady(cur) || prev.Labels[corev1.LabelTopologyZone] != cur.Labels[corev1.LabelTopologyZone] {
				check(q)
			}
		},
		DeleteFunc: func(_ context.Context, _ event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			check(q)
		},
	}
}

func isNodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
