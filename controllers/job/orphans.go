package job

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// orphanReconciler takes the tracking finalizer off pods that no unfinished Job of this
// controller owns any more (the Job went, finished, or the pod was released), which
// upstream's job controller does with its orphan queue.
type orphanReconciler struct {
	client client.Client
}

func setupOrphans(mgr manager.Manager, cfg config.Config) error {
	o := &orphanReconciler{client: mgr.GetClient()}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name+"-orphan-pod").
		For(&corev1.Pod{}, builder.WithPredicates(predicate.NewPredicateFuncs(func(obj client.Object) bool {
			return hasTrackingFinalizer(obj.(*corev1.Pod))
		}))).
		Watches(&batchv1.Job{}, o.jobHandler()).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.ConcurrentSyncs,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](apiBackoff, maxAPIBackoff),
		}).
		Complete(o)
	if err != nil {
		return fmt.Errorf("building the job orphan pod controller: %w", err)
	}
	return nil
}

// jobHandler looks again at a Job's pods when it finishes or goes.
func (o *orphanReconciler) jobHandler() handler.Funcs {
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
			if job := e.ObjectNew.(*batchv1.Job); IsFinished(job) {
				o.enqueuePods(ctx, job, q)
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) {
			o.enqueuePods(ctx, e.Object.(*batchv1.Job), q)
		},
	}
}

func (o *orphanReconciler) enqueuePods(ctx context.Context, job *batchv1.Job, q queue) {
	var pods corev1.PodList
	if err := o.client.List(ctx, &pods, client.InNamespace(job.Namespace), client.MatchingFields{index.ControllerUID: string(job.UID)}); err != nil {
		log.FromContext(ctx).Error(err, "Listing a Job's pods")
		return
	}
	for i := range pods.Items {
		if hasTrackingFinalizer(&pods.Items[i]) {
			q.Add(requestFor(&pods.Items[i]))
		}
	}
}

func (o *orphanReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	pod := &corev1.Pod{}
	if err := o.client.Get(ctx, req.NamespacedName, pod); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !hasTrackingFinalizer(pod) {
		return ctrl.Result{}, nil
	}
	if ref := metav1.GetControllerOf(pod); ref != nil {
		if ref.Kind != jobKind.Kind || ref.APIVersion != jobKind.GroupVersion().String() {
			// Not a batch/v1 Job's pod: not ours to touch.
			return ctrl.Result{}, nil
		}
		job := &batchv1.Job{}
		err := o.client.Get(ctx, types.NamespacedName{Namespace: pod.Namespace, Name: ref.Name}, job)
		switch {
		case err == nil && job.UID == ref.UID:
			if managedByOther(job) || !IsFinished(job) {
				// Its Job still accounts for it.
				return ctrl.Result{}, nil
			}
		case err != nil && !apierrors.IsNotFound(err):
			return ctrl.Result{}, err
		}
	}
	log.FromContext(ctx).V(4).Info("Removing the tracking finalizer from an orphan pod")
	if err := patchPod(ctx, o.client, pod, removeFinalizerPatch); err != nil && !apierrors.IsNotFound(err) {
		return ctrl.Result{}, fmt.Errorf("removing the tracking finalizer from orphan pod %s: %w", req, err)
	}
	return ctrl.Result{}, nil
}
