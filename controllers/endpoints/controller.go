package endpoints

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	endpointsliceutil "k8s.io/endpointslice/util"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/podservices"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "endpoints"

const (
	// ControllerName is upstream's component name: the value of the managed-by label and the
	// source of events.
	ControllerName = "endpoint-controller"
	// LabelManagedBy marks Endpoints this controller wrote.
	LabelManagedBy = "endpoints.kubernetes.io/managed-by"
)

// Reconciler keeps the Endpoints named after a Service in step with the pods its selector picks.
type Reconciler struct {
	client   client.Client
	recorder record.EventRecorder
	// triggers computes the last-change-trigger-time annotation.
	triggers *endpointsliceutil.TriggerTimeTracker
	// stale remembers Endpoints versions this controller replaced, so an out-of-date cache
	// is noticed instead of acted upon.
	stale *staleTracker
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	c, err := quietClient(mgr)
	if err != nil {
		return err
	}
	r := &Reconciler{
		client:   c,
		recorder: mgr.GetEventRecorderFor(ControllerName), //nolint:staticcheck // upstream's core/v1 events
		triggers: endpointsliceutil.NewTriggerTimeTracker(),
		stale:    newStaleTracker(),
	}
	services := podservices.ServiceLister{Reader: mgr.GetClient()}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.Service{}).
		Watches(&corev1.Pod{}, podservices.EnqueueServices(services, 0)).
		Watches(&corev1.Endpoints{}, endpointsHandler()).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
}

// endpointsHandler queues the Service of deleted Endpoints (to recreate them) and, at start,
// of every existing Endpoints, so that those left by deleted Services are removed.
func endpointsHandler() handler.EventHandler {
	enqueue := func(obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		q.Add(reconcile.Request{NamespacedName: client.ObjectKeyFromObject(obj)})
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if !e.IsInInitialList {
				return
			}
			if _, ok := e.Object.GetAnnotations()[resourcelock.LeaderElectionRecordAnnotationKey]; ok {
				return
			}
			enqueue(e.Object, q)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			enqueue(e.Object, q)
		},
	}
}

// quietClient is the manager's client without API warnings: every write of v1 Endpoints is
// answered with a deprecation warning, which kube-controller-manager does not log either.
func quietClient(mgr manager.Manager) (client.Client, error) {
	cfg := rest.CopyConfig(mgr.GetConfig())
	cfg.WarningHandlerWithContext = rest.NoWarnings{}
	c, err := client.New(cfg, client.Options{
		HTTPClient: mgr.GetHTTPClient(),
		Scheme:     mgr.GetScheme(),
		Mapper:     mgr.GetRESTMapper(),
		Cache:      &client.CacheOptions{Reader: mgr.GetCache()},
	})
	if err != nil {
		return nil, fmt.Errorf("endpoints client: %w", err)
	}
	return c, nil
}
