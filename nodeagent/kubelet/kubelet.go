package kubelet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/dns"
)

// Version is the kubelet version the node reports.
const Version = "v1.37.2-skiff"

// Run runs a kubelet until ctx ends.
func Run(ctx context.Context, restConfig *rest.Config, runtime cri.Service, o *Options) error {
	k, err := New(restConfig, runtime, o)
	if err != nil {
		return err
	}
	return k.Run(ctx)
}

// Kubelet registers this node and runs the pods bound to it.
type Kubelet struct {
	o        *Options
	client   kubernetes.Interface
	runtime  cri.Service
	clock    clock.WithTicker
	nodeIPs  []net.IP
	hostDNS  *dns.ResolverConfig
	recorder record.EventRecorder
	events   record.EventBroadcaster
	factory  informers.SharedInformerFactory
	pods     corelisters.PodLister
	podsInf  cache.SharedIndexInformer
	backoff  *backoffs
	workers  *podWorkers

	relist relist

	mu           sync.Mutex
	criName      string               // the runtime's name, for container IDs
	pullErrors   map[string]string    // pod UID_image -> last pull error, shown during back-off
	recentEvents map[string]time.Time // see repeatedEvent
}

// New builds a kubelet; Run starts it.
func New(restConfig *rest.Config, runtime cri.Service, o *Options) (*Kubelet, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	restConfig = rest.CopyConfig(restConfig)
	if restConfig.UserAgent == "" {
		restConfig.UserAgent = "kubelet/" + Version
	}
	if restConfig.QPS == 0 {
		// Upstream's --kube-api-qps and --kube-api-burst defaults.
		restConfig.QPS, restConfig.Burst = 50, 100
	}
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return nil, err
	}
	nodeIP, err := chooseNodeIP(o.NodeIP)
	if err != nil {
		return nil, err
	}
	hostDNS, err := dns.ReadHostResolvConf(o.ResolvConf)
	if errors.Is(err, fs.ErrNotExist) {
		// As upstream: pods get the localhost fallback instead of the host's resolvers.
		klog.Background().Info("The resolv.conf file does not exist; pods with dnsPolicy Default get no host resolvers", "path", o.ResolvConf)
		hostDNS, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.ResolvConf, err)
	}
	clk := o.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	k := &Kubelet{o: o, client: client, runtime: runtime, clock: clk, nodeIPs: []net.IP{nodeIP}, hostDNS: hostDNS, pullErrors: map[string]string{}, recentEvents: map[string]time.Time{}}
	k.backoff = newBackoffs(clk)
	k.factory = informers.NewSharedInformerFactoryWithOptions(client, 0, informers.WithTweakListOptions(func(lo *metav1.ListOptions) {
		lo.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", o.NodeName).String()
	}), informers.WithTransform(func(obj any) (any, error) {
		if m, ok := obj.(metav1.Object); ok {
			m.SetManagedFields(nil)
		}
		return obj, nil
	}))
	k.podsInf = k.factory.Core().V1().Pods().Informer()
	k.pods = k.factory.Core().V1().Pods().Lister()
	k.workers = newPodWorkers(k)
	return k, nil
}

// GetPodByName returns the pod namespace/name bound to this node, if the kubelet knows it.
func (k *Kubelet) GetPodByName(namespace, name string) (*corev1.Pod, bool) {
	pod, err := k.pods.Pods(namespace).Get(name)
	if err != nil {
		return nil, false
	}
	return pod, true
}

// GetPods returns the pods bound to this node that the kubelet knows.
func (k *Kubelet) GetPods() []*corev1.Pod {
	pods, err := k.pods.List(everything)
	if err != nil {
		return nil
	}
	return pods
}

// Run registers the node, then syncs its status, its Lease and its pods until ctx ends.
func (k *Kubelet) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithValues("node", k.o.NodeName)
	ctx = klog.NewContext(ctx, logger)
	k.events = record.NewBroadcaster(record.WithContext(ctx))
	k.events.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: k.client.CoreV1().Events("")})
	defer k.events.Shutdown()
	k.recorder = k.events.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "kubelet", Host: k.o.NodeName})

	if err := k.ensureDirs(); err != nil {
		return err
	}
	node, err := k.registerNode(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	logger.Info("Registered node")
	k.mu.Lock()
	k.criName = "containerd"
	if name, _, ok := strings.Cut(node.Status.NodeInfo.ContainerRuntimeVersion, "://"); ok && name != "" {
		k.criName = name
	}
	k.mu.Unlock()
	k.recorder.Eventf(nodeRef(node), corev1.EventTypeNormal, "Starting", "Starting kubelet.")

	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the wait above, also on early returns
	wg.Go(func() { k.runLease(ctx, node) })
	wg.Go(func() { k.runNodeStatus(ctx, node) })

	if _, err := k.podsInf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    k.podChanged,
		UpdateFunc: func(_, obj any) { k.podChanged(obj) },
		DeleteFunc: k.podChanged,
	}); err != nil {
		return err
	}
	k.factory.Start(ctx.Done())
	defer k.factory.Shutdown()
	k.workers.start(ctx)
	defer k.workers.stopAll()
	defer cancel() // the workers stop with ctx
	if !cache.WaitForCacheSync(ctx.Done(), k.podsInf.HasSynced) {
		return nil
	}
	if err := k.adopt(ctx); err != nil {
		logger.Error(err, "Cleaning up pods the API no longer has")
	}
	wg.Go(func() { k.runProbeFailures(ctx) })
	wg.Go(func() { k.runHousekeeping(ctx) })
	<-ctx.Done()
	return nil
}

// podChanged wakes the pod's worker, starting one for a pod it has not seen.
func (k *Kubelet) podChanged(obj any) {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = d.Obj
	}
	pod, ok := obj.(*corev1.Pod)
	if !ok {
		return
	}
	k.workers.kick(pod)
}

func nodeRef(node *corev1.Node) *corev1.ObjectReference {
	// Upstream keys the node's events by its name in the UID too.
	return &corev1.ObjectReference{Kind: "Node", Name: node.Name, UID: types.UID(node.Name)}
}

// chooseNodeIP is the node IP option or the host's first global unicast address.
func chooseNodeIP(s string) (net.IP, error) {
	if s != "" {
		return net.ParseIP(s), nil
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var fallback net.IP
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || !ipn.IP.IsGlobalUnicast() {
			continue
		}
		if ipn.IP.To4() != nil {
			return ipn.IP, nil
		}
		if fallback == nil {
			fallback = ipn.IP
		}
	}
	if fallback != nil {
		return fallback, nil
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP, nil
		}
	}
	return nil, errors.New("no node IP: set --node-ip")
}
