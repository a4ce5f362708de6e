package job

import (
	"context"
	"reflect"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

func requestFor(obj metav1.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: obj.GetNamespace(), Name: obj.GetName()}}
}

// jobHandler syncs a Job at once when it appears, goes or its spec changes, and batched
// after status-only updates.
func (r *Reconciler) jobHandler() handler.Funcs {
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q queue) { q.Add(requestFor(e.Object)) },
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q queue) {
			if e.ObjectNew.GetGeneration() != e.ObjectOld.GetGeneration() {
				q.Add(requestFor(e.ObjectNew))
				return
			}
			q.AddAfter(requestFor(e.ObjectNew), syncBatchPeriod)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q queue) {
			// A Job created again under the same name starts clean.
			req := requestFor(e.Object)
			r.forget(req.String())
			q.Add(req)
		},
	}
}

// podHandler records what the cache saw of pods the controller created, deleted or stripped
// of their finalizer, and wakes their Job (or the Jobs that might adopt an orphan).
func (r *Reconciler) podHandler() handler.Funcs {
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q queue) {
			pod := e.Object.(*corev1.Pod)
			if pod.DeletionTimestamp != nil {
				r.podGone(ctx, pod, false, q)
				return
			}
			if ref := metav1.GetControllerOf(pod); ref != nil {
				if job := r.resolve(ctx, pod.Namespace, ref); job != nil {
					key := requestFor(job).String()
					r.pods.Observed(key, true)
					q.AddAfter(requestFor(job), syncBatchPeriod)
				}
				return
			}
			r.enqueueSelecting(ctx, pod, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
			old, cur := e.ObjectOld.(*corev1.Pod), e.ObjectNew.(*corev1.Pod)
			if cur.ResourceVersion == old.ResourceVersion {
				return
			}
			if cur.DeletionTimestamp != nil {
				r.podGone(ctx, cur, false, q)
				return
			}
			finalizerGone := !hasTrackingFinalizer(cur)
			curRef, oldRef := metav1.GetControllerOf(cur), metav1.GetControllerOf(old)
			refChanged := !reflect.DeepEqual(curRef, oldRef)
			for _, ref := range []*metav1.OwnerReference{oldRef, curRef} {
				if ref == nil || (ref == oldRef && !refChanged) {
					continue
				}
				if job := r.resolve(ctx, cur.Namespace, ref); job != nil {
					if finalizerGone {
						r.finalizers.observed(requestFor(job).String(), cur.UID)
					}
					q.AddAfter(requestFor(job), syncBatchPeriod)
				}
			}
			if curRef == nil && (refChanged || !reflect.DeepEqual(cur.Labels, old.Labels)) {
				r.enqueueSelecting(ctx, cur, q)
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) {
			r.podGone(ctx, e.Object.(*corev1.Pod), true, q)
		},
	}
}

// podGone handles a pod marked for deletion (or removed, when final): a deletion the
// controller may expect is seen (as upstream, each such event counts: the marking and the
// removal may come as one event or two); a pod removed, or without finalizer, no longer holds
// one.
func (r *Reconciler) podGone(ctx context.Context, pod *corev1.Pod, final bool, q queue) {
	ref := metav1.GetControllerOf(pod)
	if ref == nil {
		return
	}
	job := r.resolve(ctx, pod.Namespace, ref)
	if job == nil || IsFinished(job) {
		return
	}
	key := requestFor(job).String()
	r.pods.Observed(key, false)
	if final || !hasTrackingFinalizer(pod) {
		r.finalizers.observed(key, pod.UID)
	}
	q.AddAfter(requestFor(job), syncBatchPeriod)
}

// resolve returns the Job a controller reference names, if the cache has it with that UID.
func (r *Reconciler) resolve(ctx context.Context, namespace string, ref *metav1.OwnerReference) *batchv1.Job {
	if ref.Kind != jobKind.Kind || ref.APIVersion != jobKind.GroupVersion().String() {
		return nil
	}
	job := &batchv1.Job{}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, job); err != nil || job.UID != ref.UID {
		return nil
	}
	return job
}

// enqueueSelecting wakes the Jobs whose selector matches an orphan pod, to adopt it.
func (r *Reconciler) enqueueSelecting(ctx context.Context, pod *corev1.Pod, q queue) {
	if len(pod.Labels) == 0 {
		return
	}
	var jobs batchv1.JobList
	if err := r.client.List(ctx, &jobs, client.InNamespace(pod.Namespace)); err != nil {
		log.FromContext(ctx).Error(err, "Listing Jobs for an orphan pod", "pod", klog.KObj(pod))
		return
	}
	for i := range jobs.Items {
		job := &jobs.Items[i]
		sel, err := metav1.LabelSelectorAsSelector(job.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(pod.Labels)) {
			continue
		}
		q.AddAfter(requestFor(job), syncBatchPeriod)
	}
}
