package servicelb

import (
	"fmt"
	"net/netip"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as cloud-controller-manager's --controllers flag knows it.
const Name = "service-lb-controller"

// Class is the loadBalancerClass this provider serves besides Services without a class.
const Class = "skiff.sh/local"

// LoadBalancerCleanupFinalizer keeps a Service until its address is released (upstream's).
const LoadBalancerCleanupFinalizer = "service.kubernetes.io/load-balancer-cleanup"

// eventSource is the component upstream's service controller records events as.
const eventSource = "service-controller"

// Setup adds the controller to mgr with the pool of cfg.ServiceLBPool.
func Setup(mgr manager.Manager, cfg config.Config) error {
	pool, err := ParsePool(cfg.ServiceLBPool)
	if err != nil {
		return fmt.Errorf("--service-lb-pool: %w", err)
	}
	return SetupWithPool(pool)(mgr, cfg)
}

// SetupWithPool returns a Setup that hands out addresses from pool.
func SetupWithPool(pool *Pool) config.SetupFunc {
	return func(mgr manager.Manager, cfg config.Config) error {
		r := &Reconciler{
			client:   mgr.GetClient(),
			recorder: mgr.GetEventRecorderFor(eventSource), //nolint:staticcheck // core/v1 events, as upstream's service controller records
			pool:     pool,
			assigned: map[types.NamespacedName]netip.Addr{},
			waiting:  map[types.NamespacedName]bool{},
			released: map[types.NamespacedName]netip.Addr{},
			retry:    make(chan event.TypedGenericEvent[*corev1.Service], retryQueue),
		}
		if err := ctrl.NewControllerManagedBy(mgr).
			Named(Name).
			For(&corev1.Service{}).
			WatchesRawSource(source.Channel(r.retry, &handler.TypedEnqueueRequestForObject[*corev1.Service]{})).
			WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
			Complete(r); err != nil {
			return fmt.Errorf("building the %s controller: %w", Name, err)
		}
		return nil
	}
}

// Reconciler assigns and releases the addresses of LoadBalancer Services.
type Reconciler struct {
	client   client.Client
	recorder record.EventRecorder
	pool     *Pool

	// mu guards assigned: the address each Service was last given, which the cache may not
	// show yet, so two Services reconciled close together never get the same one.
	mu       sync.Mutex
	assigned map[types.NamespacedName]netip.Addr
	// released are addresses given up that the cache may still show in a Service's status.
	released map[types.NamespacedName]netip.Addr
	// waiting are Services that got no address; a release retries them through retry.
	waiting map[types.NamespacedName]bool
	retry   chan event.TypedGenericEvent[*corev1.Service]
}

// retryQueue bounds the retries queued by releases; beyond it Services wait for retryAfter.
const retryQueue = 256
