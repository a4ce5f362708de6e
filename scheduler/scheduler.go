package scheduler

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	coreinformers "k8s.io/client-go/informers/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/clock"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	schedcache "github.com/skiff-sh/skiff/scheduler/internal/cache"
	"github.com/skiff-sh/skiff/scheduler/internal/queue"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// Scheduler assigns pending pods to nodes with the profiles of a KubeSchedulerConfiguration.
type Scheduler struct {
	client      kubernetes.Interface
	informers   informers.SharedInformerFactory
	broadcaster events.EventBroadcaster
	cache       *schedcache.Cache
	queue       *queue.Queue
	snapshot    *nodeinfo.Snapshot
	profiles    map[string]*runtime.Framework
	clock       clock.WithTicker
	metrics     *Metrics

	percentageOfNodesToScore int32
	// nextStartNodeIndex rotates where filtering starts, so all nodes get examined.
	nextStartNodeIndex int
	// filterStatuses is findNodesThatPassFilters' buffer, kept between cycles.
	filterStatuses []*fwk.Status
	// scoreBuffer is prioritizeNodes' memory, kept between cycles.
	scoreBuffer runtime.ScoreBuffer

	bindings sync.WaitGroup
}

// Config is what New needs besides the client.
type Config struct {
	// Configuration must be defaulted and valid.
	Configuration *configv1.KubeSchedulerConfiguration
	Registry      schedulerplugins.Registry
	RestConfig    *rest.Config
	Clock         clock.WithTicker
	// EventClient writes events (nil: the scheduler's client). Run gives events their own
	// in-flight requests so that a backlog of events never delays bindings.
	EventClient kubernetes.Interface
}

// New builds a scheduler: informers, cache, queue and one framework per profile.
func New(ctx context.Context, client kubernetes.Interface, c Config) (*Scheduler, error) {
	if c.Clock == nil {
		c.Clock = clock.RealClock{}
	}
	cfg := c.Configuration
	if c.EventClient == nil {
		c.EventClient = client
	}
	s := &Scheduler{
		client: client,
		// Nothing in scheduling reads managedFields; without them the informers hold a good
		// third less per pod (as the controller manager's cache).
		informers: informers.NewSharedInformerFactoryWithOptions(client, 0,
			informers.WithTransform(crcache.TransformStripManagedFields())),
		broadcaster:              events.NewBroadcaster(&events.EventSinkImpl{Interface: c.EventClient.EventsV1()}),
		cache:                    schedcache.New(c.Clock, 0),
		snapshot:                 nodeinfo.NewEmptySnapshot(),
		profiles:                 map[string]*runtime.Framework{},
		clock:                    c.Clock,
		metrics:                  newMetrics(),
		percentageOfNodesToScore: *cfg.PercentageOfNodesToScore,
	}
	// As upstream, the scheduler's pod informer leaves out terminated pods.
	s.informers.InformerFor(&corev1.Pod{}, newPodInformer)
	waiting := runtime.NewWaitingPods()
	queueProfiles := map[string]queue.Profile{}
	for i := range cfg.Profiles {
		prof := &cfg.Profiles[i]
		name := *prof.SchedulerName
		fw, err := runtime.NewFramework(ctx, c.Registry, prof,
			runtime.WithClientSet(client),
			runtime.WithKubeConfig(c.RestConfig),
			runtime.WithInformerFactory(s.informers),
			runtime.WithSnapshotSharedLister(s.snapshot),
			runtime.WithEventRecorder(s.broadcaster.NewRecorder(scheme.Scheme, name)),
			runtime.WithParallelism(int(*cfg.Parallelism)),
			runtime.WithWaitingPods(waiting),
		)
		if err != nil {
			return nil, fmt.Errorf("initializing profile %q: %w", name, err)
		}
		s.profiles[name] = fw
		queueProfiles[name] = fw
	}
	first := s.profiles[*cfg.Profiles[0].SchedulerName]
	q, err := queue.New(ctx, queue.Options{
		Clock:          c.Clock,
		InitialBackoff: time.Duration(*cfg.PodInitialBackoffSeconds) * time.Second,
		MaxBackoff:     time.Duration(*cfg.PodMaxBackoffSeconds) * time.Second,
		Less:           first.QueueSortFunc(),
		Profiles:       queueProfiles,
		PodLister:      s.informers.Core().V1().Pods().Lister(),
	})
	if err != nil {
		return nil, err
	}
	s.queue = q
	for _, fw := range s.profiles {
		fw.SetPodNominator(q)
		fw.SetPodActivator(q)
	}
	if err := s.addEventHandlers(); err != nil {
		return nil, err
	}
	return s, nil
}

func newPodInformer(cs kubernetes.Interface, resync time.Duration) cache.SharedIndexInformer {
	selector := fmt.Sprintf("status.phase!=%v,status.phase!=%v", corev1.PodSucceeded, corev1.PodFailed)
	return coreinformers.NewFilteredPodInformer(cs, metav1.NamespaceAll, resync, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc},
		func(o *metav1.ListOptions) { o.FieldSelector = fields.ParseSelectorOrDie(selector).String() })
}

// Metrics returns the scheduler's metrics.
func (s *Scheduler) Metrics() *Metrics { return s.metrics }

// Run schedules pods until ctx ends, then waits for binding cycles in flight.
func (s *Scheduler) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx)
	if err := s.broadcaster.StartRecordingToSinkWithContext(ctx); err != nil {
		return fmt.Errorf("starting event recording: %w", err)
	}
	defer s.broadcaster.Shutdown()
	s.informers.Start(ctx.Done())
	defer s.informers.Shutdown()
	for typ, ok := range s.informers.WaitForCacheSync(ctx.Done()) {
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%v informer did not sync", typ)
		}
	}
	var wg sync.WaitGroup
	wg.Go(func() { s.queue.Run(ctx) })
	wg.Go(func() { s.cache.Run(ctx, time.Second) })
	wg.Go(func() {
		wait.UntilWithContext(ctx, func(context.Context) { s.metrics.setPending(s.queue.PendingCounts()) }, time.Second)
	})
	logger.Info("Scheduler started", "profiles", len(s.profiles))
	for {
		p, err := s.queue.Pop(logger)
		if err != nil {
			break
		}
		s.scheduleOne(ctx, p)
	}
	wg.Wait()
	s.bindings.Wait()
	logger.Info("Scheduler stopped")
	return nil
}
