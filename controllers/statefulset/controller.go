package statefulset

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/history"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "statefulset"

// Reconciler syncs StatefulSets with their pods, claims and revisions.
type Reconciler struct {
	client   client.Client
	live     client.Reader
	recorder record.EventRecorder
	clock    clock.PassiveClock
	history  history.Store
	writes   *writes
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.ByControllerUID(mgr, &corev1.Pod{}); err != nil {
		return err
	}
	clk := clock.PassiveClock(cfg.Clock)
	if cfg.Clock == nil {
		clk = clock.RealClock{}
	}
	r := &Reconciler{
		client:   mgr.GetClient(),
		live:     mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor("statefulset-controller"),
		clock:    clk,
		history:  history.Store{Client: mgr.GetClient(), Live: mgr.GetAPIReader()},
		writes:   newWrites(mgr.GetCache()),
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&appsv1.StatefulSet{}).
		Owns(&corev1.Pod{}).
		// Orphan pods a set selects may be adopted.
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(r.setsForOrphan)).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(cfg.ConcurrentSyncs, 1)}).
		Complete(r)
}

// setsForOrphan maps a pod without a controller to the sets whose selectors match it.
func (r *Reconciler) setsForOrphan(ctx context.Context, obj client.Object) []reconcile.Request {
	if metav1.GetControllerOfNoCopy(obj) != nil || len(obj.GetLabels()) == 0 {
		return nil
	}
	var sets appsv1.StatefulSetList
	if err := r.client.List(ctx, &sets, client.InNamespace(obj.GetNamespace())); err != nil {
		log.FromContext(ctx).Error(err, "Listing statefulsets for an orphan pod")
		return nil
	}
	var reqs []reconcile.Request
	for i := range sets.Items {
		s := &sets.Items[i]
		sel, err := metav1.LabelSelectorAsSelector(s.Spec.Selector)
		if err != nil || sel.Empty() || !sel.Matches(labels.Set(obj.GetLabels())) {
			continue
		}
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(s)})
	}
	return reqs
}
