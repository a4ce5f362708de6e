package deployment

import (
	"context"
	"fmt"
	"reflect"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
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
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "deployment"

// controllerKind is written into the ReplicaSets' controller references.
var controllerKind = appsv1.SchemeGroupVersion.WithKind("Deployment")

// Reconciler rolls Deployments out through their ReplicaSets.
type Reconciler struct {
	client   client.Client
	reader   client.Reader // uncached, for the adoption recheck
	recorder record.EventRecorder
	clock    clock.PassiveClock
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.ByControllerUID(mgr, &corev1.Pod{}); err != nil {
		return err
	}
	if err := index.ByControllerUID(mgr, &appsv1.ReplicaSet{}); err != nil {
		return err
	}
	var clk clock.PassiveClock = clock.RealClock{}
	if cfg.Clock != nil {
		clk = cfg.Clock
	}
	r := &Reconciler{
		client:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor("deployment-controller"), //nolint:staticcheck // upstream records core/v1 events
		clock:    clk,
	}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&appsv1.Deployment{}).
		Watches(&appsv1.ReplicaSet{}, r.replicaSetHandler()).
		Watches(&corev1.Pod{}, r.podHandler()).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("building the deployment controller: %w", err)
	}
	return nil
}

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

func requestFor(o metav1.Object) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: o.GetName()}}
}

// replicaSetHandler queues the Deployment controlling a ReplicaSet, or for an orphan the
// Deployments that might adopt it.
func (r *Reconciler) replicaSetHandler() handler.EventHandler {
	return handler.Funcs{
		CreateFunc: func(ctx context.Context, e event.CreateEvent, q queue) {
			rs, ok := e.Object.(*appsv1.ReplicaSet)
			if !ok {
				return
			}
			if ref := metav1.GetControllerOfNoCopy(rs); ref != nil {
				if d := r.resolve(ctx, rs.Namespace, ref); d != nil {
					q.Add(requestFor(d))
				}
				return
			}
			r.queueAdopters(ctx, rs, q)
		},
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
			oldRS, ok1 := e.ObjectOld.(*appsv1.ReplicaSet)
			rs, ok2 := e.ObjectNew.(*appsv1.ReplicaSet)
			if !ok1 || !ok2 || rs.ResourceVersion == oldRS.ResourceVersion {
				return
			}
			ref, oldRef := metav1.GetControllerOfNoCopy(rs), metav1.GetControllerOfNoCopy(oldRS)
			refChanged := !reflect.DeepEqual(ref, oldRef)
			if refChanged && oldRef != nil {
				if d := r.resolve(ctx, oldRS.Namespace, oldRef); d != nil {
					q.Add(requestFor(d))
				}
			}
			if ref != nil {
				if d := r.resolve(ctx, rs.Namespace, ref); d != nil {
					q.Add(requestFor(d))
				}
				return
			}
			if refChanged || !reflect.DeepEqual(rs.Labels, oldRS.Labels) {
				r.queueAdopters(ctx, rs, q)
			}
		},
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) {
			if ref := metav1.GetControllerOfNoCopy(e.Object); ref != nil {
				if d := r.resolve(ctx, e.Object.GetNamespace(), ref); d != nil {
					q.Add(requestFor(d))
				}
			}
		},
	}
}

// podHandler queues a Recreate Deployment when one of its pods is gone: it waits for all old
// pods to go before starting new ones.
func (r *Reconciler) podHandler() handler.EventHandler {
	return handler.Funcs{
		DeleteFunc: func(ctx context.Context, e event.DeleteEvent, q queue) {
			ref := metav1.GetControllerOfNoCopy(e.Object)
			if ref == nil || ref.Kind != "ReplicaSet" {
				return
			}
			rs := &appsv1.ReplicaSet{}
			if err := r.client.Get(ctx, types.NamespacedName{Namespace: e.Object.GetNamespace(), Name: ref.Name}, rs); err != nil || rs.UID != ref.UID {
				return
			}
			dRef := metav1.GetControllerOfNoCopy(rs)
			if dRef == nil {
				return
			}
			if d := r.resolve(ctx, rs.Namespace, dRef); d != nil && d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
				q.Add(requestFor(d))
			}
		},
	}
}

// resolve returns the cached Deployment ref points at, if it still is the same object.
func (r *Reconciler) resolve(ctx context.Context, namespace string, ref *metav1.OwnerReference) *appsv1.Deployment {
	if ref.Kind != controllerKind.Kind {
		return nil
	}
	d := &appsv1.Deployment{}
	if err := r.client.Get(ctx, types.NamespacedName{Namespace: namespace, Name: ref.Name}, d); err != nil || d.UID != ref.UID {
		return nil
	}
	return d
}

// queueAdopters queues the Deployments whose selector matches an orphan ReplicaSet's labels.
func (r *Reconciler) queueAdopters(ctx context.Context, rs *appsv1.ReplicaSet, q queue) {
	if len(rs.Labels) == 0 {
		return
	}
	var list appsv1.DeploymentList
	if err := r.client.List(ctx, &list, client.InNamespace(rs.Namespace)); err != nil {
		log.FromContext(ctx).Error(err, "Listing deployments for an orphan replica set", "replicaSet", client.ObjectKeyFromObject(rs))
		return
	}
	for i := range list.Items {
		d := &list.Items[i]
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(rs.Labels)) {
			continue
		}
		q.Add(requestFor(d))
	}
}
