package runtime

import (
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// Option configures a Framework.
type Option func(*options)

type options struct {
	clientSet       kubernetes.Interface
	kubeConfig      *rest.Config
	eventRecorder   events.EventRecorderLogger
	informerFactory informers.SharedInformerFactory
	snapshot        fwk.SharedLister
	nominator       fwk.PodNominator
	activator       fwk.PodActivator
	csiManager      fwk.CSIManager
	draManager      fwk.SharedDRAManager
	parallelism     int
	waitingPods     *waitingPods
	podsInPreBind   *podsInPreBind
}

// WithClientSet sets the client plugins get from ClientSet.
func WithClientSet(c kubernetes.Interface) Option { return func(o *options) { o.clientSet = c } }

// WithKubeConfig sets the rest.Config plugins get from KubeConfig.
func WithKubeConfig(c *rest.Config) Option { return func(o *options) { o.kubeConfig = c } }

// WithEventRecorder sets the recorder plugins get from EventRecorder (an
// events.EventRecorder without WithLogger is adapted).
func WithEventRecorder(r events.EventRecorder) Option {
	return func(o *options) {
		if rl, ok := r.(events.EventRecorderLogger); ok {
			o.eventRecorder = rl
			return
		}
		o.eventRecorder = recorderLogger{r}
	}
}

// WithInformerFactory sets the shared informer factory plugins get.
func WithInformerFactory(f informers.SharedInformerFactory) Option {
	return func(o *options) { o.informerFactory = f }
}

// WithSnapshotSharedLister sets the snapshot plugins read during a scheduling cycle.
func WithSnapshotSharedLister(l fwk.SharedLister) Option { return func(o *options) { o.snapshot = l } }

// WithPodNominator sets the nominator (default: a new Nominator without a pod lister).
func WithPodNominator(n fwk.PodNominator) Option { return func(o *options) { o.nominator = n } }

// WithPodActivator sets what Activate moves pods with (default: nothing).
func WithPodActivator(a fwk.PodActivator) Option { return func(o *options) { o.activator = a } }

// WithSharedCSIManager sets the CSI manager (default: CSINodes from the informer factory).
func WithSharedCSIManager(m fwk.CSIManager) Option { return func(o *options) { o.csiManager = m } }

// WithSharedDRAManager sets the DRA manager (default: nil, skiff ships no DRA plugin).
func WithSharedDRAManager(m fwk.SharedDRAManager) Option {
	return func(o *options) { o.draManager = m }
}

// WithParallelism sets how many goroutines Filter/Score use (default 16).
func WithParallelism(n int) Option { return func(o *options) { o.parallelism = n } }

// WithWaitingPods shares the Permit waiting pods between the profiles of one scheduler.
func WithWaitingPods(w *WaitingPods) Option { return func(o *options) { o.waitingPods = w.m } }

// WaitingPods is the set of pods waiting at Permit, shared by a scheduler's frameworks.
type WaitingPods struct{ m *waitingPods }

// NewWaitingPods returns an empty set.
func NewWaitingPods() *WaitingPods { return &WaitingPods{m: newWaitingPods()} }

// recorderLogger adapts an events.EventRecorder to EventRecorderLogger.
type recorderLogger struct{ events.EventRecorder }

func (r recorderLogger) WithLogger(_ klog.Logger) events.EventRecorderLogger { return r }
