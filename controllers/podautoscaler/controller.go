package podautoscaler

import (
	"fmt"
	"sync"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/scale"
	"k8s.io/client-go/tools/record"
	metricsv1beta1 "k8s.io/metrics/pkg/client/clientset/versioned/typed/metrics/v1beta1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "horizontal-pod-autoscaler"

// syncPeriod is upstream's --horizontal-pod-autoscaler-sync-period.
const syncPeriod = 15 * time.Second

// Reconciler scales the targets of HorizontalPodAutoscalers (autoscaling/v2) through their
// scale subresource from the resource metrics API (metrics.k8s.io).
type Reconciler struct {
	client    client.Client
	recorder  record.EventRecorder
	clock     clock.PassiveClock
	scales    scale.ScalesGetter
	mapper    meta.RESTMapper
	metrics   metricsv1beta1.PodMetricsesGetter
	discovery discovery.CachedDiscoveryInterface

	mu        sync.Mutex
	histories map[types.NamespacedName]*history
	selectors map[types.NamespacedName]labels.Selector
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	dc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("creating a discovery client: %w", err)
	}
	cached := memory.NewMemCacheClient(dc)
	scales, err := scale.NewForConfig(mgr.GetConfig(), mgr.GetRESTMapper(), dynamic.LegacyAPIPathResolverFunc, scale.NewDiscoveryScaleKindResolver(cached))
	if err != nil {
		return fmt.Errorf("creating a scale client: %w", err)
	}
	metrics, err := metricsv1beta1.NewForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("creating a metrics client: %w", err)
	}
	r := &Reconciler{
		client:    mgr.GetClient(),
		recorder:  mgr.GetEventRecorderFor(Name),
		clock:     cfg.Clock,
		scales:    scales,
		mapper:    mgr.GetRESTMapper(),
		metrics:   metrics,
		discovery: cached,
		histories: map[types.NamespacedName]*history{},
		selectors: map[types.NamespacedName]labels.Selector{},
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		// Our own status writes don't wake it; spec changes do, the rest waits for the resync.
		For(&autoscalingv2.HorizontalPodAutoscaler{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
}
