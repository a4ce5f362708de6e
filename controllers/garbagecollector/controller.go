package garbagecollector

import (
	"context"
	"fmt"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/lru"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "garbage-collector"

// EventSource is the component upstream's garbage collector records events as.
const EventSource = "garbage-collector-controller"

const (
	// syncPeriod is how often discovery is read again for new or removed resources, and how
	// long the workers wait for the first sync of the informers.
	syncPeriod = 30 * time.Second
	// absentOwnerCacheSize bounds the cache of owners known not to exist.
	absentOwnerCacheSize = 500
)

// GarbageCollector keeps a graph of every object's owners and dependents, built from
// metadata-only informers over all deletable resources, and deletes or orphans dependents as
// their owners go. It is a manager.Runnable.
type GarbageCollector struct {
	metadata  metadata.Interface
	discovery discovery.ServerResourcesInterface
	mapper    meta.ResettableRESTMapper
	recorder  record.EventRecorder
	workers   int
	// syncPeriod is how often discovery is read (syncPeriod; tests shorten it).
	syncPeriod time.Duration

	graph *graph
	// graphChanges carries informer (and virtual) events to the single goroutine that edits
	// the graph; that goroutine feeds attemptToDelete and attemptToOrphan.
	graphChanges    workqueue.TypedInterface[*event]
	attemptToDelete workqueue.TypedRateLimitingInterface[*node]
	attemptToOrphan workqueue.TypedRateLimitingInterface[*node]
	// absentOwners caches owners verified not to exist (objectRef keys).
	absentOwners *lru.Cache

	monitorsMu sync.Mutex
	monitors   map[schema.GroupVersionResource]*monitor
	monitorsWG sync.WaitGroup
}

// New returns a garbage collector that reads and writes through client, lists resources
// through disco and maps kinds with mapper (which it resets when discovery changes).
func New(client metadata.Interface, disco discovery.ServerResourcesInterface, mapper meta.ResettableRESTMapper, recorder record.EventRecorder, workers int) *GarbageCollector {
	return &GarbageCollector{
		metadata: client, discovery: disco, mapper: mapper, recorder: recorder, workers: max(workers, 1),
		syncPeriod:   syncPeriod,
		graph:        newGraph(),
		graphChanges: workqueue.NewTypedWithConfig(workqueue.TypedQueueConfig[*event]{Name: "garbage_collector_graph_changes"}),
		attemptToDelete: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[*node](),
			workqueue.TypedRateLimitingQueueConfig[*node]{Name: "garbage_collector_attempt_to_delete"}),
		attemptToOrphan: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[*node](),
			workqueue.TypedRateLimitingQueueConfig[*node]{Name: "garbage_collector_attempt_to_orphan"}),
		absentOwners: lru.New(absentOwnerCacheSize),
		monitors:     map[schema.GroupVersionResource]*monitor{},
	}
}

// Setup adds the garbage collector to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	gc, err := newForManager(mgr, cfg)
	if err != nil {
		return err
	}
	return mgr.Add(gc)
}

// newForManager builds a garbage collector with clients of its own on mgr's config.
func newForManager(mgr manager.Manager, cfg config.Config) (*GarbageCollector, error) {
	// Each collected object costs two calls: like upstream, twice the manager's QPS.
	rc := rest.CopyConfig(mgr.GetConfig())
	if rc.QPS == 0 {
		rc.QPS, rc.Burst = 20, 30
	}
	rc.QPS *= 2
	rc.UserAgent = rest.DefaultKubernetesUserAgent() + "/generic-garbage-collector"
	// Deprecation warnings of resources listed generically mean nothing here (kube-controller-manager
	// drops them too).
	rc.WarningHandler = rest.NoWarnings{}
	client, err := metadata.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("creating the garbage collector's metadata client: %w", err)
	}
	// The mapper gets a discovery client of its own: resetting it must not reset the one
	// that notices new resources.
	disco, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("creating the garbage collector's discovery client: %w", err)
	}
	mapperDisco, err := discovery.NewDiscoveryClientForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("creating the garbage collector's discovery client: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(mapperDisco))
	return New(client, disco, mapper, mgr.GetEventRecorderFor(EventSource), cfg.ConcurrentSyncs), nil
}

// Start runs the garbage collector until ctx ends.
func (gc *GarbageCollector) Start(ctx context.Context) error {
	logger := log.FromContext(ctx).WithName(Name)
	ctx = log.IntoContext(ctx, logger)
	logger.Info("Starting controller", "controller", "garbagecollector")

	var wg sync.WaitGroup
	defer func() {
		logger.Info("Shutting down controller", "controller", "garbagecollector")
		gc.graphChanges.ShutDown()
		gc.attemptToDelete.ShutDown()
		gc.attemptToOrphan.ShutDown()
		wg.Wait()
		gc.stopMonitors()
	}()

	wg.Go(func() {
		for gc.processGraphChange(ctx) {
		}
	})
	wg.Go(func() { gc.syncLoop(ctx) })

	// Workers start once the informers have listed, or after a sync period anyway.
	synced := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, gc.syncPeriod, true, func(context.Context) (bool, error) {
		return gc.isSynced(), nil
	})
	if ctx.Err() != nil {
		return nil
	}
	if synced != nil {
		logger.Info("Garbage collector: not all resource monitors could be synced, proceeding anyways")
	} else {
		logger.Info("Garbage collector: all resource monitors have synced")
	}
	for range gc.workers {
		wg.Go(func() {
			for gc.processAttemptToDelete(ctx) {
			}
		})
		wg.Go(func() {
			for gc.processAttemptToOrphan(ctx) {
			}
		})
	}
	<-ctx.Done()
	return nil
}
