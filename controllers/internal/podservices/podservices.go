package podservices

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	endpointsliceutil "k8s.io/endpointslice/util"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// ServiceLister serves client-go's ServiceLister from a controller-runtime reader (the
// manager's cache), for k8s.io/endpointslice's helpers.
type ServiceLister struct {
	Reader client.Reader
}

var _ corelisters.ServiceLister = ServiceLister{}

// List returns the Services of every namespace matching selector.
func (l ServiceLister) List(selector labels.Selector) ([]*corev1.Service, error) {
	return l.list(selector, "")
}

// Services returns a lister for one namespace.
func (l ServiceLister) Services(namespace string) corelisters.ServiceNamespaceLister {
	return namespaceLister{l, namespace}
}

func (l ServiceLister) list(selector labels.Selector, namespace string) ([]*corev1.Service, error) {
	var list corev1.ServiceList
	if err := l.Reader.List(context.Background(), &list, client.InNamespace(namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	out := make([]*corev1.Service, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

type namespaceLister struct {
	ServiceLister
	namespace string
}

func (l namespaceLister) List(selector labels.Selector) ([]*corev1.Service, error) {
	return l.list(selector, l.namespace)
}

func (l namespaceLister) Get(name string) (*corev1.Service, error) {
	var svc corev1.Service
	if err := l.Reader.Get(context.Background(), types.NamespacedName{Namespace: l.namespace, Name: name}, &svc); err != nil {
		return nil, err
	}
	return &svc, nil
}

// EnqueueServices returns the handler of pod events: it queues, after delay, each Service
// whose endpoints the event may change (upstream's pod projection: label changes queue the
// Services of the old and new labels, other changes only when they touch endpoints).
func EnqueueServices(lister corelisters.ServiceLister, delay time.Duration) handler.EventHandler {
	enqueue := func(ctx context.Context, old, cur any, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		key := endpointsliceutil.GetPodUpdateProjectionKey(old, cur)
		if key == nil {
			return
		}
		services, err := endpointsliceutil.GetServicesToUpdate(lister, key)
		if err != nil {
			log.FromContext(ctx).Error(err, "Finding the Services of a pod", "namespace", key.Namespace)
			return
		}
		for svc := range services {
			ns, name, err := cache.SplitMetaNamespaceKey(svc)
			if err != nil {
				continue
			}
			req := reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}}
			if delay > 0 {
				q.AddAfter(req, delay)
			} else {
				q.Add(req)
			}
		}
	}
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, nil, e.Object, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.ObjectOld, e.ObjectNew, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(ctx, e.Object, nil, q)
		},
	}
}
