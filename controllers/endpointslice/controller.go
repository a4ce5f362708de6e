package endpointslice

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	endpointslicerec "k8s.io/endpointslice"
	"k8s.io/endpointslice/topologycache"
	endpointsliceutil "k8s.io/endpointslice/util"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/podservices"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "endpointslice"

const (
	// ControllerName is the managed-by label value of the slices this controller owns.
	ControllerName = "endpointslice-controller.k8s.io"
	// eventSource is upstream's component name on events.
	eventSource = "endpoint-slice-controller"
	// maxEndpointsPerSlice is kube-controller-manager's --max-endpoints-per-slice default.
	maxEndpointsPerSlice = 100
	// sliceChangeDelay batches the resyncs caused by changes to the slices themselves.
	sliceChangeDelay = 1 * time.Second
)

// Reconciler keeps the EndpointSlices of each Service with a selector in step with its pods,
// through k8s.io/endpointslice's Reconciler.
type Reconciler struct {
	client     client.Client
	recorder   record.EventRecorder
	reconciler *endpointslicerec.Reconciler
	// tracker knows the slice generations this controller wrote, to tell an out-of-date
	// cache (which must not cause duplicates) from changes made by others.
	tracker  *endpointsliceutil.EndpointSliceTracker
	triggers *endpointsliceutil.TriggerTimeTracker
	topology *topologycache.TopologyCache
	nodes    nodeLister

	// queue is the controller's work queue, known from the first node event, for queueing
	// the Services a change of nodes overloads.
	queueMu sync.Mutex
	queue   workqueue.TypedRateLimitingInterface[reconcile.Request]
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	cs, err := kubernetes.NewForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("endpointslice client: %w", err)
	}
	r := &Reconciler{
		client:   mgr.GetClient(),
		recorder: mgr.GetEventRecorderFor(eventSource), //nolint:staticcheck // upstream's core/v1 events
		tracker:  endpointsliceutil.NewEndpointSliceTracker(),
		triggers: endpointsliceutil.NewTriggerTimeTracker(),
		topology: topologycache.NewTopologyCache(),
		nodes:    nodeLister{mgr.GetClient()},
	}
	r.reconciler = endpointslicerec.NewReconciler(cs, r.nodes, maxEndpointsPerSlice, r.tracker, r.topology, r.recorder,
		ControllerName, endpointslicerec.WithPreferSameTrafficDistributionEnabled(true))
	services := podservices.ServiceLister{Reader: mgr.GetClient()}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.Service{}).
		Watches(&corev1.Pod{}, podservices.EnqueueServices(services, 0)).
		Watches(&discoveryv1.EndpointSlice{}, r.sliceHandler()).
		Watches(&corev1.Node{}, r.nodeHandler()).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.ConcurrentSyncs,
			// Upstream's: failures back off from 1s to 1000s, at most 10 syncs a second.
			RateLimiter: workqueue.NewTypedMaxOfRateLimiter(
				workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](time.Second, 1000*time.Second),
				&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
			),
		}).
		Complete(r)
}

// setQueue remembers the controller's queue.
func (r *Reconciler) setQueue(q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	r.queueMu.Lock()
	defer r.queueMu.Unlock()
	r.queue = q
}

func (r *Reconciler) enqueue(key reconcile.Request) {
	r.queueMu.Lock()
	defer r.queueMu.Unlock()
	if r.queue != nil {
		r.queue.Add(key)
	}
}
