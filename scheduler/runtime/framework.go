package runtime

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
)

// Framework runs one profile's plugins; it implements framework.Handle.
type Framework struct {
	profileName              string
	percentageOfNodesToScore *int32

	pluginsMap        map[string]fwk.Plugin
	preEnqueue        []fwk.PreEnqueuePlugin
	queueSort         []fwk.QueueSortPlugin
	preFilter         []fwk.PreFilterPlugin
	filter            []fwk.FilterPlugin
	postFilter        []fwk.PostFilterPlugin
	preScore          []fwk.PreScorePlugin
	score             []fwk.ScorePlugin
	reserve           []fwk.ReservePlugin
	permit            []fwk.PermitPlugin
	preBind           []fwk.PreBindPlugin
	bind              []fwk.BindPlugin
	postBind          []fwk.PostBindPlugin
	enqueueExtensions []fwk.EnqueueExtensions
	scoreWeights      map[string]int
	// enabled lists the plugin names per extension point, for ListPlugins.
	enabled map[string][]string

	fwk.PodNominator
	activator       fwk.PodActivator
	clientSet       kubernetes.Interface
	kubeConfig      *rest.Config
	eventRecorder   events.EventRecorderLogger
	informerFactory informers.SharedInformerFactory
	snapshot        fwk.SharedLister
	draManager      fwk.SharedDRAManager
	parallelizer    Parallelizer
	waitingPods     *waitingPods
	podsInPreBind   *podsInPreBind

	csiOnce    sync.Once
	csiManager fwk.CSIManager
}

var _ fwk.Handle = &Framework{}

// NewFramework builds the profile's plugins with r. profile.Plugins must already be merged
// with the defaults (see scheduler/config); pluginConfig args are passed to factories as
// Args.Object. A nil profile or nil Plugins gives a framework without plugins.
func NewFramework(ctx context.Context, r schedulerplugins.Registry, profile *configv1.KubeSchedulerProfile, opts ...Option) (*Framework, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	f := &Framework{
		PodNominator:    o.nominator,
		activator:       o.activator,
		clientSet:       o.clientSet,
		kubeConfig:      o.kubeConfig,
		eventRecorder:   o.eventRecorder,
		informerFactory: o.informerFactory,
		snapshot:        o.snapshot,
		draManager:      o.draManager,
		csiManager:      o.csiManager,
		parallelizer:    NewParallelizer(o.parallelism),
		waitingPods:     o.waitingPods,
		podsInPreBind:   newPodsInPreBind(),
		pluginsMap:      map[string]fwk.Plugin{},
		scoreWeights:    map[string]int{},
		enabled:         map[string][]string{},
	}
	if f.PodNominator == nil {
		f.PodNominator = NewNominator(nil)
	}
	if f.waitingPods == nil {
		f.waitingPods = newWaitingPods()
	}
	if profile == nil {
		return f, nil
	}
	if profile.SchedulerName != nil {
		f.profileName = *profile.SchedulerName
	}
	f.percentageOfNodesToScore = profile.PercentageOfNodesToScore
	if profile.Plugins == nil {
		return f, nil
	}
	args := make(map[string]runtime.Object, len(profile.PluginConfig))
	for _, pc := range profile.PluginConfig {
		if _, ok := args[pc.Name]; ok {
			return nil, fmt.Errorf("repeated config for plugin %s", pc.Name)
		}
		args[pc.Name] = pc.Args.Object
	}
	needed := pluginsNeeded(profile.Plugins)
	for name, factory := range r {
		if !needed[name] {
			continue
		}
		p, err := factory(ctx, args[name], f)
		if err != nil {
			return nil, fmt.Errorf("initializing plugin %q: %w", name, err)
		}
		f.pluginsMap[name] = p
		f.fillEnqueueExtensions(p)
	}
	if err := f.buildExtensionPoints(klog.FromContext(ctx), profile.Plugins); err != nil {
		return nil, err
	}
	if len(f.queueSort) != 1 {
		return nil, fmt.Errorf("only one queue sort plugin required for profile with scheduler name %q, but got %d", f.profileName, len(f.queueSort))
	}
	if len(f.bind) == 0 {
		return nil, fmt.Errorf("at least one bind plugin is needed for profile with scheduler name %q", f.profileName)
	}
	if err := f.setScoreWeights(profile.Plugins); err != nil {
		return nil, fmt.Errorf("score plugins: %w", err)
	}
	klog.FromContext(ctx).V(2).Info("the scheduler starts to work with those plugins", "profile", f.profileName, "plugins", f.enabled)
	return f, nil
}

// fillEnqueueExtensions records the events a rejecting plugin wants pods requeued on; a
// plugin without EnqueueExtensions gets every event, as upstream.
func (f *Framework) fillEnqueueExtensions(p fwk.Plugin) {
	switch p.(type) {
	case fwk.PreEnqueuePlugin, fwk.PreFilterPlugin, fwk.FilterPlugin, fwk.ReservePlugin, fwk.PermitPlugin:
	default:
		return
	}
	if ext, ok := p.(fwk.EnqueueExtensions); ok {
		f.enqueueExtensions = append(f.enqueueExtensions, ext)
		return
	}
	f.enqueueExtensions = append(f.enqueueExtensions, allEvents{name: p.Name()})
}

// allEvents is the EnqueueExtensions of a plugin that registers none.
type allEvents struct{ name string }

func (a allEvents) Name() string { return a.name }
func (a allEvents) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{{Event: fwk.ClusterEvent{Resource: fwk.WildCard, ActionType: fwk.All}}}, nil
}

// ProfileName is the profile's schedulerName.
func (f *Framework) ProfileName() string { return f.profileName }

// PercentageOfNodesToScore is the profile's override, nil if unset.
func (f *Framework) PercentageOfNodesToScore() *int32 { return f.percentageOfNodesToScore }

// Plugin returns the named plugin instance, if the profile has it.
func (f *Framework) Plugin(name string) (fwk.Plugin, bool) {
	p, ok := f.pluginsMap[name]
	return p, ok
}

// ListPlugins returns the plugin names enabled per extension point ("PreFilter", ...).
func (f *Framework) ListPlugins() map[string][]string { return f.enabled }

// PreEnqueuePlugins returns the PreEnqueue plugins.
func (f *Framework) PreEnqueuePlugins() []fwk.PreEnqueuePlugin { return f.preEnqueue }

// EnqueueExtensions returns the requeueing hints of the plugins that can reject pods.
func (f *Framework) EnqueueExtensions() []fwk.EnqueueExtensions { return f.enqueueExtensions }

// QueueSortFunc returns the QueueSort plugin's Less.
func (f *Framework) QueueSortFunc() fwk.LessFunc {
	if len(f.queueSort) == 0 {
		return func(fwk.QueuedEntityInfo, fwk.QueuedEntityInfo) bool { return false }
	}
	return f.queueSort[0].Less
}

// HasFilterPlugins, HasPostFilterPlugins and HasScorePlugins report whether the profile
// has plugins at those points.
func (f *Framework) HasFilterPlugins() bool     { return len(f.filter) > 0 }
func (f *Framework) HasPostFilterPlugins() bool { return len(f.postFilter) > 0 }
func (f *Framework) HasScorePlugins() bool      { return len(f.score) > 0 }

// SetSnapshotSharedLister replaces the snapshot (the scheduler shares one across profiles).
func (f *Framework) SetSnapshotSharedLister(l fwk.SharedLister) { f.snapshot = l }

// SetPodActivator sets the queue Activate moves pods in.
func (f *Framework) SetPodActivator(a fwk.PodActivator) { f.activator = a }

// SetPodNominator sets the nominator.
func (f *Framework) SetPodNominator(n fwk.PodNominator) { f.PodNominator = n }

// Activate moves pods to the active queue, if a queue is set.
func (f *Framework) Activate(logger klog.Logger, pods map[string]*corev1.Pod) {
	if f.activator != nil {
		f.activator.Activate(logger, pods)
	}
}

func (f *Framework) SnapshotSharedLister() fwk.SharedLister { return f.snapshot }

// MutableSnapshotSharedLister is nil: only pod group PostFilter uses it and skiff has none.
func (f *Framework) MutableSnapshotSharedLister() fwk.MutableSnapshotSharedLister { return nil }

func (f *Framework) IterateOverWaitingPods(cb func(fwk.WaitingPod)) { f.waitingPods.iterate(cb) }

func (f *Framework) GetWaitingPod(uid types.UID) fwk.WaitingPod {
	if wp := f.waitingPods.get(uid); wp != nil {
		return wp
	}
	return nil
}

func (f *Framework) RejectWaitingPod(uid types.UID) bool {
	if wp := f.waitingPods.get(uid); wp != nil {
		return wp.Reject("", "removed")
	}
	return false
}

func (f *Framework) AddPodInPreBind(uid types.UID, cancel context.CancelCauseFunc) {
	f.podsInPreBind.add(uid, cancel)
}

func (f *Framework) GetPodInPreBind(uid types.UID) fwk.PodInPreBind {
	if p := f.podsInPreBind.get(uid); p != nil {
		return p
	}
	return nil
}

func (f *Framework) RemovePodInPreBind(uid types.UID) { f.podsInPreBind.remove(uid) }

func (f *Framework) ClientSet() kubernetes.Interface                        { return f.clientSet }
func (f *Framework) KubeConfig() *rest.Config                               { return f.kubeConfig }
func (f *Framework) EventRecorder() events.EventRecorderLogger              { return f.eventRecorder }
func (f *Framework) SharedInformerFactory() informers.SharedInformerFactory { return f.informerFactory }

// SharedDRAManager is nil unless set: skiff ships no DRA plugin.
func (f *Framework) SharedDRAManager() fwk.SharedDRAManager { return f.draManager }

// SharedCSIManager reads CSINodes through the informer factory unless one was set.
func (f *Framework) SharedCSIManager() fwk.CSIManager {
	f.csiOnce.Do(func() {
		if f.csiManager == nil && f.informerFactory != nil {
			f.csiManager = newCSIManager(f.informerFactory)
		}
	})
	return f.csiManager
}

// Extenders is empty: skiff does not call scheduler extenders.
func (f *Framework) Extenders() []fwk.Extender { return nil }

func (f *Framework) Parallelizer() fwk.Parallelizer { return f.parallelizer }

// APIDispatcher and APICacher are nil, as upstream with SchedulerAsyncAPICalls off: plugins
// call the API themselves.
func (f *Framework) APIDispatcher() fwk.APIDispatcher { return nil }
func (f *Framework) APICacher() fwk.APICacher         { return nil }

// PodGroupManager is nil: skiff has no gang scheduling.
func (f *Framework) PodGroupManager() fwk.PodGroupManager { return nil }

// SignPod returns nil: skiff does not batch pods by signature.
func (f *Framework) SignPod(context.Context, *corev1.Pod) fwk.PodSignature { return nil }
