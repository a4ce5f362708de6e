package daemonset

import (
	"context"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/expectations"
	"github.com/skiff-sh/skiff/controllers/internal/index"
	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "daemonset"

var controllerKind = appsv1.SchemeGroupVersion.WithKind("DaemonSet")

// Failed daemon pods are replaced with a backoff from 1s up to 15 minutes, as
// kube-controller-manager configures it; stale entries are dropped every minute.
const (
	failedPodsBackoffInitial = time.Second
	failedPodsBackoffMax     = 15 * time.Minute
	backoffGCInterval        = time.Minute
)

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// Reconciler syncs DaemonSets with the nodes and their pods.
type Reconciler struct {
	client       client.Client
	live         client.Reader
	recorder     record.EventRecorder
	clock        clock.Clock
	expectations *expectations.Expectations
	backoff      *flowcontrol.Backoff

	mu      sync.Mutex
	requeue map[types.NamespacedName]time.Duration
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.ByControllerUID(mgr, &corev1.Pod{}); err != nil {
		return err
	}
	if err := index.PodsByNodeName(mgr); err != nil {
		return err
	}
	var clk clock.WithTicker = clock.RealClock{}
	if cfg.Clock != nil {
		clk = cfg.Clock
	}
	r := &Reconciler{
		client:       mgr.GetClient(),
		live:         mgr.GetAPIReader(),
		recorder:     mgr.GetEventRecorderFor("daemonset-controller"),
		clock:        clk,
		expectations: expectations.New(clk),
		backoff:      flowcontrol.NewFakeBackOff(failedPodsBackoffInitial, failedPodsBackoffMax, clk),
		requeue:      map[types.NamespacedName]time.Duration{},
	}
	if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
		t := clk.NewTicker(backoffGCInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-t.C():
				r.backoff.GC()
			}
		}
	})); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&appsv1.DaemonSet{}).
		Watches(&corev1.Pod{}, handler.Funcs{
			CreateFunc: func(ctx context.Context, e event.CreateEvent, q queue) { r.podAdded(ctx, e.Object, q) },
			UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
				r.podUpdated(ctx, e.ObjectOld, e.ObjectNew, q)
			},
			DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) { r.podDeleted(ctx, e.Object, q) },
		}).
		Owns(&appsv1.ControllerRevision{}).
		Watches(&appsv1.ControllerRevision{}, handler.EnqueueRequestsFromMapFunc(r.orphanRevision)).
		Watches(&corev1.Node{}, handler.Funcs{
			CreateFunc: func(ctx context.Context, e event.CreateEvent, q queue) { r.nodeChanged(ctx, e.Object, q) },
			UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
				o, n := e.ObjectOld.(*corev1.Node), e.ObjectNew.(*corev1.Node)
				if equality.Semantic.DeepEqual(o.Labels, n.Labels) && equality.Semantic.DeepEqual(o.Spec.Taints, n.Spec.Taints) {
					return
				}
				r.nodeChanged(ctx, n, q)
			},
			// A node gone changes every set's desired count; its unbound pods are deleted.
			DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) { r.enqueueAll(ctx, q) },
		}).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(cfg.ConcurrentSyncs, 1)}).
		Complete(r)
}

// resolve returns the DaemonSet ref names when it still is the same object.
func (r *Reconciler) resolve(ctx context.Context, namespace string, ref *metav1.OwnerReference) *appsv1.DaemonSet {
	if ref == nil || ref.Kind != controllerKind.Kind {
		return nil
	}
	ds := &appsv1.DaemonSet{}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, ds); err != nil || ds.UID != ref.UID {
		return nil
	}
	return ds
}

func enqueue(q queue, ds *appsv1.DaemonSet) {
	q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ds.Namespace, Name: ds.Name}})
}

// selecting returns the DaemonSets in obj's namespace whose selectors match its labels.
func (r *Reconciler) selecting(ctx context.Context, obj client.Object) []*appsv1.DaemonSet {
	var list appsv1.DaemonSetList
	if err := r.client.List(ctx, &list, client.InNamespace(obj.GetNamespace())); err != nil {
		log.FromContext(ctx).Error(err, "Listing daemonsets")
		return nil
	}
	var out []*appsv1.DaemonSet
	for i := range list.Items {
		sel, err := metav1.LabelSelectorAsSelector(list.Items[i].Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(obj.GetLabels())) {
			continue
		}
		out = append(out, &list.Items[i])
	}
	return out
}

func (r *Reconciler) podAdded(ctx context.Context, obj client.Object, q queue) {
	if obj.GetDeletionTimestamp() != nil {
		// Seen for the first time already deleting: count it as the deletion.
		r.podDeleted(ctx, obj, q)
		return
	}
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		if ds := r.resolve(ctx, obj.GetNamespace(), ref); ds != nil {
			r.expectations.Observed(keyOf(ds), true)
			enqueue(q, ds)
		}
		return
	}
	for _, ds := range r.selecting(ctx, obj) {
		enqueue(q, ds)
	}
}

func (r *Reconciler) podUpdated(ctx context.Context, oldObj, newObj client.Object, q queue) {
	if oldObj.GetResourceVersion() == newObj.GetResourceVersion() {
		return
	}
	if newObj.GetDeletionTimestamp() != nil {
		r.podDeleted(ctx, newObj, q)
		return
	}
	oldRef, newRef := metav1.GetControllerOfNoCopy(oldObj), metav1.GetControllerOfNoCopy(newObj)
	refChanged := !equality.Semantic.DeepEqual(oldRef, newRef)
	if refChanged && oldRef != nil {
		if ds := r.resolve(ctx, oldObj.GetNamespace(), oldRef); ds != nil {
			enqueue(q, ds)
		}
	}
	if newRef != nil {
		ds := r.resolve(ctx, newObj.GetNamespace(), newRef)
		if ds == nil {
			return
		}
		enqueue(q, ds)
		oldPod, newPod := oldObj.(*corev1.Pod), newObj.(*corev1.Pod)
		if !podready.IsReady(oldPod) && podready.IsReady(newPod) && ds.Spec.MinReadySeconds > 0 {
			q.AddAfter(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ds)},
				time.Duration(ds.Spec.MinReadySeconds)*time.Second+time.Second)
		}
		return
	}
	if refChanged || !equality.Semantic.DeepEqual(oldObj.GetLabels(), newObj.GetLabels()) {
		for _, ds := range r.selecting(ctx, newObj) {
			enqueue(q, ds)
		}
	}
}

func (r *Reconciler) podDeleted(ctx context.Context, obj client.Object, q queue) {
	ds := r.resolve(ctx, obj.GetNamespace(), metav1.GetControllerOfNoCopy(obj))
	if ds == nil {
		return
	}
	r.expectations.Observed(keyOf(ds), false)
	enqueue(q, ds)
}

// orphanRevision maps a revision nobody controls to the DaemonSets that may adopt it.
func (r *Reconciler) orphanRevision(ctx context.Context, obj client.Object) []reconcile.Request {
	if metav1.GetControllerOfNoCopy(obj) != nil {
		return nil
	}
	var reqs []reconcile.Request
	for _, ds := range r.selecting(ctx, obj) {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(ds)})
	}
	return reqs
}

// nodeChanged enqueues the DaemonSets whose pods the node's arrival or change concerns: one
// that should run there and has no pod, one whose pod must leave, one with misscheduled pods.
func (r *Reconciler) nodeChanged(ctx context.Context, obj client.Object, q queue) {
	node := obj.(*corev1.Node)
	var list appsv1.DaemonSetList
	if err := r.client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "Listing daemonsets")
		return
	}
	var pods corev1.PodList
	if err := r.client.List(ctx, &pods, client.MatchingFields{index.PodNodeName: node.Name}); err != nil {
		log.FromContext(ctx).Error(err, "Listing pods on node", "node", node.Name)
		return
	}
	scheduled := map[types.UID]bool{}
	for i := range pods.Items {
		if ref := metav1.GetControllerOfNoCopy(&pods.Items[i]); ref != nil && ref.Kind == controllerKind.Kind {
			scheduled[ref.UID] = true
		}
	}
	for i := range list.Items {
		ds := &list.Items[i]
		run, cont := newPlacement(ds).shouldRun(node)
		has := scheduled[ds.UID]
		if (run && !has) || (!cont && has) || (has && ds.Status.NumberMisscheduled > 0) {
			enqueue(q, ds)
		}
	}
}

// enqueueAll enqueues every DaemonSet.
func (r *Reconciler) enqueueAll(ctx context.Context, q queue) {
	var list appsv1.DaemonSetList
	if err := r.client.List(ctx, &list); err != nil {
		log.FromContext(ctx).Error(err, "Listing daemonsets")
		return
	}
	for i := range list.Items {
		enqueue(q, &list.Items[i])
	}
}
