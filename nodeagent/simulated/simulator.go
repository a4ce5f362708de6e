package simulated

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/component-helpers/apimachinery/lease"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/skiff-sh/skiff/internal/apilimit"
)

// Run runs the simulated nodes until ctx ends.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	if err := o.Validate(); err != nil {
		return err
	}
	client, err := limitedClient(restConfig)
	if err != nil {
		return err
	}
	// Heartbeats (Lease renewals and node status) get their own request slots: queued behind
	// tens of thousands of pod status updates, they were late by more than the node monitor grace
	// period, and the node lifecycle controller evicted pods from nodes that were fine.
	heartbeatClient, err := limitedClient(restConfig)
	if err != nil {
		return err
	}
	s, err := newSimulator(client, o, clock.RealClock{})
	if err != nil {
		return err
	}
	s.heartbeatClient = heartbeatClient
	return s.run(ctx)
}

// limitedClient is a client whose requests share one connection and a bounded number of slots
// (see apilimit), so thousands of simulated nodes do not open thousands of connections.
func limitedClient(restConfig *rest.Config) (kubernetes.Interface, error) {
	c := rest.CopyConfig(restConfig)
	apilimit.Limit(c, 0)
	return kubernetes.NewForConfig(c)
}

// simulator is one process's worth of simulated nodes: their registration and heartbeats, and
// a kubelet's view of the pods bound to them.
type simulator struct {
	o      *Options
	client kubernetes.Interface
	// heartbeatClient renews Leases and posts node status; it is client unless Run gave
	// heartbeats their own.
	heartbeatClient kubernetes.Interface
	clock           clock.Clock
	tmpl            *corev1.Node
	ipam            *ipam
	nodes           map[string]*simNode // fixed after construction

	pods      workqueue.TypedRateLimitingInterface[string] // namespace/name
	nodeQueue workqueue.TypedRateLimitingInterface[string] // node name
	podLister corelisters.PodLister
	nodeList  corelisters.NodeLister

	// lifetime is run's context: heartbeats end with it; leases counts their goroutines.
	lifetime context.Context
	leases   sync.WaitGroup

	mu        sync.Mutex
	heartbeat map[string]context.CancelFunc // running lease controllers
	uids      map[string]string             // node name -> UID, for the Lease's owner
}

func newSimulator(client kubernetes.Interface, o *Options, clk clock.Clock) (*simulator, error) {
	tmpl, err := o.template()
	if err != nil {
		return nil, err
	}
	a, err := newIPAM(o.PodCIDR, o.NodeCIDRMaskSize, o.Nodes)
	if err != nil {
		return nil, err
	}
	s := &simulator{
		o: o, client: client, heartbeatClient: client, clock: clk, tmpl: tmpl, ipam: a,
		nodes:     make(map[string]*simNode, o.Nodes),
		heartbeat: map[string]context.CancelFunc{},
		uids:      map[string]string{},
		pods: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "simulated-pods"}),
		nodeQueue: workqueue.NewTypedRateLimitingQueueWithConfig(workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "simulated-nodes"}),
	}
	for i := range o.Nodes {
		name := fmt.Sprintf("%s%d", o.NamePrefix, i)
		n := &simNode{name: name, index: i, podCIDR: a.nodeCIDR(i), hostIP: nodeIP(i)}
		if o.Zones > 0 {
			n.zone = fmt.Sprintf("zone-%d", i%o.Zones)
		}
		s.nodes[name] = n
	}
	return s, nil
}

func (s *simulator) run(ctx context.Context) error {
	logger := klog.FromContext(ctx)
	s.lifetime = ctx
	defer s.leases.Wait()
	defer s.pods.ShutDown()
	defer s.nodeQueue.ShutDown()
	start := s.clock.Now()
	if err := s.registerAll(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while registering
		}
		return err
	}
	logger.Info("Registered simulated nodes", "nodes", len(s.nodes), "duration", s.clock.Since(start).Round(time.Millisecond))

	stripManagedFields := crcache.TransformStripManagedFields()
	podFactory := informers.NewSharedInformerFactoryWithOptions(s.client, 0, informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
		lo.FieldSelector = fields.OneTermNotEqualSelector("spec.nodeName", "").String()
	}), informers.WithTransform(stripManagedFields))
	nodeFactory := informers.NewSharedInformerFactoryWithOptions(s.client, 0, informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
		lo.LabelSelector = labels.SelectorFromSet(labels.Set{LabelSimulated: "true"}).String()
	}), informers.WithTransform(stripManagedFields))
	podInformer := podFactory.Core().V1().Pods()
	nodeInformer := nodeFactory.Core().V1().Nodes()
	s.podLister, s.nodeList = podInformer.Lister(), nodeInformer.Lister()
	if _, err := podInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    s.enqueuePod,
		UpdateFunc: func(_, obj any) { s.enqueuePod(obj) },
		DeleteFunc: s.podGone,
	}); err != nil {
		return err
	}
	if _, err := nodeInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    s.enqueueNode,
		UpdateFunc: func(_, obj any) { s.enqueueNode(obj) },
	}); err != nil {
		return err
	}
	podFactory.Start(ctx.Done())
	nodeFactory.Start(ctx.Done())
	defer podFactory.Shutdown()
	defer nodeFactory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.Informer().HasSynced, nodeInformer.Informer().HasSynced) {
		return nil // stopped before the caches filled
	}
	s.reserveRunningIPs()

	var wg sync.WaitGroup
	for range s.o.Workers {
		wg.Go(func() { s.work(ctx, s.pods, s.syncPod) })
	}
	for range 4 {
		wg.Go(func() { s.work(ctx, s.nodeQueue, s.syncNode) })
	}
	// A kubelet posts its node status every few minutes even when nothing changed.
	wg.Go(func() {
		wait.Until(func() {
			for name := range s.nodes {
				s.nodeQueue.AddAfter(name, time.Duration(s.nodes[name].index)*nodeStatusReportFrequency/time.Duration(max(len(s.nodes), 1)))
			}
		}, nodeStatusReportFrequency, ctx.Done())
	})
	<-ctx.Done()
	s.pods.ShutDown()
	s.nodeQueue.ShutDown()
	s.mu.Lock()
	for _, stop := range s.heartbeat {
		stop()
	}
	s.mu.Unlock()
	wg.Wait()
	return nil
}

// registerAll registers every node, many at once.
func (s *simulator) registerAll(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(s.o.Workers)
	for _, n := range s.nodes {
		g.Go(func() error {
			var node *corev1.Node
			err := wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 6}, func(ctx context.Context) (bool, error) {
				var err error
				node, err = register(ctx, s.client, n, s.tmpl)
				return err == nil, nil
			})
			if err != nil {
				return fmt.Errorf("registering node %s: %w", n.name, err)
			}
			s.mu.Lock()
			s.uids[n.name] = string(node.UID)
			s.mu.Unlock()
			if node.Annotations[AnnotationHeartbeat] != "paused" {
				s.startHeartbeat(n.name)
			}
			return nil
		})
	}
	return g.Wait()
}

// startHeartbeat renews the node's Lease in kube-node-lease, as a kubelet does, with the
// library kubelets use; the renewals stop when the node is paused or the agent stops.
func (s *simulator) startHeartbeat(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, running := s.heartbeat[name]; running || s.lifetime.Err() != nil {
		return
	}
	uid := s.uids[name]
	ctx, cancel := context.WithCancel(s.lifetime)
	s.heartbeat[name] = cancel
	owner := func(l *coordinationv1.Lease) error {
		l.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: name, UID: typesUID(uid)}}
		return nil
	}
	c := lease.NewController(clock.RealClock{}, s.heartbeatClient, name, int32(s.o.LeaseDuration/time.Second), nil,
		s.o.LeaseRenewInterval, name, corev1.NamespaceNodeLease, owner)
	s.leases.Go(func() { c.Run(ctx) })
}

func (s *simulator) stopHeartbeat(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	stop, running := s.heartbeat[name]
	if running {
		stop()
		delete(s.heartbeat, name)
	}
	return running
}

func (s *simulator) work(ctx context.Context, q workqueue.TypedRateLimitingInterface[string], sync func(context.Context, string) error) {
	for {
		key, quit := q.Get()
		if quit {
			return
		}
		if err := sync(ctx, key); err != nil {
			if !errors.Is(err, context.Canceled) {
				klog.FromContext(ctx).V(2).Info("Retrying", "key", key, "err", err)
			}
			q.AddRateLimited(key)
		} else {
			q.Forget(key)
		}
		q.Done(key)
	}
}

// syncNode keeps a node's heartbeat in step with its pause annotation and re-posts a healthy
// status when something else (the node lifecycle controller) changed it.
func (s *simulator) syncNode(ctx context.Context, name string) error {
	node, err := s.nodeList.Get(name)
	if err != nil {
		return nil // deleted: a kubelet registers again only when it restarts
	}
	n := s.nodes[name]
	if node.Annotations[AnnotationHeartbeat] == "paused" {
		s.stopHeartbeat(name)
		return nil
	}
	s.mu.Lock()
	s.uids[name] = string(node.UID)
	_, wasRunning := s.heartbeat[name]
	s.mu.Unlock()
	s.startHeartbeat(name)
	if !wasRunning || !healthy(node) || s.clock.Since(readyHeartbeat(node)) >= nodeStatusReportFrequency {
		if _, err := postStatus(ctx, s.heartbeatClient, node, n, s.tmpl); err != nil {
			return err
		}
	}
	if !wasRunning {
		// Back from a pause: catch up with what happened to its pods meanwhile.
		pods, _ := s.podLister.List(labels.Everything())
		for _, p := range pods {
			if p.Spec.NodeName == name {
				s.enqueuePod(p)
			}
		}
	}
	return nil
}

func readyHeartbeat(node *corev1.Node) time.Time {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.LastHeartbeatTime.Time
		}
	}
	return time.Time{}
}

func (s *simulator) enqueueNode(obj any) {
	if node, ok := obj.(*corev1.Node); ok && s.nodes[node.Name] != nil {
		s.nodeQueue.Add(node.Name)
	}
}

func (s *simulator) enqueuePod(obj any) {
	pod, ok := obj.(*corev1.Pod)
	if !ok || s.nodes[pod.Spec.NodeName] == nil {
		return
	}
	key, err := cache.MetaNamespaceKeyFunc(pod)
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	s.pods.Add(key)
}

// podGone frees the IP of a pod that no longer exists.
func (s *simulator) podGone(obj any) {
	if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tomb.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok || s.nodes[pod.Spec.NodeName] == nil {
		return
	}
	s.releaseIP(pod)
}
