package replicaset

import (
	"context"
	"reflect"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

func requestFor(o metav1.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}}
}

// ownerHandler queues owners and drops the expectations of deleted or replaced ones.
func (r *Reconciler) ownerHandler() handler.EventHandler {
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q queue) { q.Add(requestFor(e.Object)) },
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q queue) {
			if e.ObjectOld.GetUID() != e.ObjectNew.GetUID() {
				r.exp.forget(requestFor(e.ObjectOld).String())
			}
			q.Add(requestFor(e.ObjectNew))
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q queue) {
			r.exp.forget(requestFor(e.Object).String())
			q.Add(requestFor(e.Object))
		},
	}
}

// podHandler records what the cache has seen of the pods asked for and queues their owners,
// or, for orphans, the owners that might adopt them.
func (r *Reconciler) podHandler() handler.EventHandler {
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q queue) {
			pod, ok := e.Object.(*corev1.Pod)
			if !ok {
				return
			}
			if pod.DeletionTimestamp != nil {
				r.podDeleted(ctx, pod, q) // a restarted informer may see a pod already going
				return
			}
			if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
				if owner := r.resolve(ctx, pod.Namespace, ref); owner != nil {
					req := requestFor(owner)
					r.exp.creationObserved(req.String())
					q.Add(req)
				}
				return
			}
			r.queueOwnersOf(ctx, pod, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
			oldPod, ok1 := e.ObjectOld.(*corev1.Pod)
			pod, ok2 := e.ObjectNew.(*corev1.Pod)
			if !ok1 || !ok2 || pod.ResourceVersion == oldPod.ResourceVersion {
				return
			}
			r.podUpdated(ctx, oldPod, pod, q)
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) {
			if pod, ok := e.Object.(*corev1.Pod); ok {
				r.podDeleted(ctx, pod, q)
			}
		},
	}
}

func (r *Reconciler) podUpdated(ctx context.Context, oldPod, pod *corev1.Pod, q queue) {
	labelsChanged := !reflect.DeepEqual(pod.Labels, oldPod.Labels)
	if pod.DeletionTimestamp != nil {
		// Graceful deletion: the pod is on its way out; count the deletion now so that
		// a replacement is made at once, not after the grace period.
		r.podDeleted(ctx, pod, q)
		if labelsChanged {
			r.podDeleted(ctx, oldPod, q)
		}
		return
	}
	ref, oldRef := metav1.GetControllerOfNoCopy(pod), metav1.GetControllerOfNoCopy(oldPod)
	refChanged := !reflect.DeepEqual(ref, oldRef)
	if refChanged && oldRef != nil {
		if owner := r.resolve(ctx, oldPod.Namespace, oldRef); owner != nil {
			q.Add(requestFor(owner)) // the old owner may need a replacement
		}
	}
	if ref != nil {
		owner := r.resolve(ctx, pod.Namespace, ref)
		if owner == nil {
			return
		}
		q.Add(requestFor(owner))
		// A pod that just turned ready is available minReadySeconds later: look again then.
		if rs := r.kind.ToReplicaSet(owner); !podready.IsReady(oldPod) && podready.IsReady(pod) && rs.Spec.MinReadySeconds > 0 {
			q.AddAfter(requestFor(owner), time.Duration(rs.Spec.MinReadySeconds)*time.Second)
		}
		return
	}
	if labelsChanged || refChanged {
		r.queueOwnersOf(ctx, pod, q) // an orphan that may now match someone
	}
}

func (r *Reconciler) podDeleted(ctx context.Context, pod *corev1.Pod, q queue) {
	ref := metav1.GetControllerOfNoCopy(pod)
	if ref == nil {
		return
	}
	owner := r.resolve(ctx, pod.Namespace, ref)
	if owner == nil {
		return
	}
	req := requestFor(owner)
	r.exp.deletionObserved(req.String(), podKey(pod))
	q.Add(req)
}

// resolve returns the cached owner ref points at, if it is of our kind and still the same object.
func (r *Reconciler) resolve(ctx context.Context, namespace string, ref *metav1.OwnerReference) client.Object {
	if ref.Kind != r.kind.GVK.Kind {
		return nil
	}
	owner := r.kind.New()
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, owner); err != nil {
		return nil
	}
	if owner.GetUID() != ref.UID {
		return nil
	}
	return owner
}

// queueOwnersOf queues every owner whose selector matches the orphan pod.
func (r *Reconciler) queueOwnersOf(ctx context.Context, pod *corev1.Pod, q queue) {
	owners, err := r.ownersSelecting(ctx, pod.Namespace, pod.Labels)
	if err != nil {
		log.FromContext(ctx).Error(err, "Listing the owners of an orphan pod", "pod", client.ObjectKeyFromObject(pod))
		return
	}
	if len(owners) > 1 {
		log.FromContext(ctx).Info("More than one owner selects the pod's labels; a user error", "kind", r.kind.GVK.Kind, "pod", client.ObjectKeyFromObject(pod), "labels", pod.Labels)
	}
	for _, o := range owners {
		q.Add(requestFor(o))
	}
}

// ownersSelecting lists the cached owners in namespace whose (non-empty) selector matches set.
func (r *Reconciler) ownersSelecting(ctx context.Context, namespace string, set map[string]string) ([]*appsv1.ReplicaSet, error) {
	if len(set) == 0 {
		return nil, nil
	}
	owners, err := r.listOwners(ctx, client.InNamespace(namespace))
	if err != nil {
		return nil, err
	}
	var out []*appsv1.ReplicaSet
	for _, o := range owners {
		rs := r.kind.ToReplicaSet(o)
		sel, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(set)) {
			continue
		}
		out = append(out, rs)
	}
	return out, nil
}

// listOwners lists cached owners of our kind.
func (r *Reconciler) listOwners(ctx context.Context, opts ...client.ListOption) ([]client.Object, error) {
	list := r.kind.NewList()
	if err := r.client.List(ctx, list, opts...); err != nil {
		return nil, err
	}
	items, err := apimeta.ExtractList(list)
	if err != nil {
		return nil, err
	}
	out := make([]client.Object, 0, len(items))
	for _, it := range items {
		if o, ok := it.(client.Object); ok {
			out = append(out, o)
		}
	}
	return out, nil
}
