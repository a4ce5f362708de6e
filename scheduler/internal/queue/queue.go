package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// ErrClosed is returned by Pop once the queue is closed.
var ErrClosed = errors.New("scheduling queue is closed")

const (
	// DefaultMaxUnschedulableDuration is how long a pod may stay unschedulable without an event
	// before it is retried anyway, as upstream.
	DefaultMaxUnschedulableDuration = 5 * time.Minute
	// maxInFlightEvents caps the events recorded for a pod being scheduled.
	maxInFlightEvents = 1000
	// schedulingGatesPlugin gates pods with spec.schedulingGates.
	schedulingGatesPlugin = "SchedulingGates"
)

// Profile is what the queue needs from a scheduler profile's framework.
type Profile interface {
	RunPreEnqueuePlugins(ctx context.Context, pod *corev1.Pod) *fwk.Status
	PreEnqueuePlugins() []fwk.PreEnqueuePlugin
	EnqueueExtensions() []fwk.EnqueueExtensions
}

// Options configure a Queue.
type Options struct {
	Clock          clock.WithTicker
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// MaxUnschedulableDuration defaults to DefaultMaxUnschedulableDuration.
	MaxUnschedulableDuration time.Duration
	// Less orders the active queue (the QueueSort plugin's Less).
	Less fwk.LessFunc
	// Profiles by schedulerName.
	Profiles map[string]Profile
	// PodLister lets the nominator skip pods that are gone or bound.
	PodLister listersv1.PodLister
}

type inFlightEvent struct {
	event    fwk.ClusterEvent
	old, new any
}

type flight struct {
	events   []inFlightEvent
	overflow bool
}

type profileState struct {
	Profile
	// hints by plugin name.
	hints map[string][]fwk.ClusterEventWithHint
	// ownGates: no SchedulingGates PreEnqueue plugin, so the queue honours gates itself.
	ownGates bool
}

// Queue holds pending pods; it implements framework.PodActivator and framework.PodNominator.
type Queue struct {
	*runtime.Nominator
	opts Options

	mu            sync.Mutex
	cond          *sync.Cond
	closed        bool
	active        *keyedHeap
	backoff       *keyedHeap
	unschedulable map[string]*QueuedPodInfo
	inFlight      map[types.UID]*flight
	profiles      map[string]*profileState
}

var _ fwk.PodActivator = &Queue{}

// New builds a queue; it fails if a plugin's EventsToRegister fails.
func New(ctx context.Context, o Options) (*Queue, error) {
	if o.MaxUnschedulableDuration == 0 {
		o.MaxUnschedulableDuration = DefaultMaxUnschedulableDuration
	}
	if o.Clock == nil {
		o.Clock = clock.RealClock{}
	}
	q := &Queue{
		Nominator:     runtime.NewNominator(o.PodLister),
		opts:          o,
		unschedulable: map[string]*QueuedPodInfo{},
		inFlight:      map[types.UID]*flight{},
		profiles:      map[string]*profileState{},
	}
	q.cond = sync.NewCond(&q.mu)
	less := o.Less
	if less == nil {
		less = func(a, b fwk.QueuedEntityInfo) bool { return a.GetTimestamp().Before(b.GetTimestamp()) }
	}
	q.active = newHeap(func(a, b *QueuedPodInfo) bool { return less(a, b) })
	q.backoff = newHeap(func(a, b *QueuedPodInfo) bool {
		return q.backoffTime(a).Before(q.backoffTime(b))
	})
	for name, p := range o.Profiles {
		ps := &profileState{Profile: p, hints: map[string][]fwk.ClusterEventWithHint{}, ownGates: true}
		for _, pl := range p.PreEnqueuePlugins() {
			if pl.Name() == schedulingGatesPlugin {
				ps.ownGates = false
			}
		}
		for _, ext := range p.EnqueueExtensions() {
			events, err := ext.EventsToRegister(ctx)
			if err != nil {
				return nil, fmt.Errorf("fetching events to register for plugin %q: %w", ext.Name(), err)
			}
			ps.hints[ext.Name()] = events
		}
		q.profiles[name] = ps
	}
	return q, nil
}

// RegisteredEvents returns every event some plugin wants pods requeued on.
func (q *Queue) RegisteredEvents() []fwk.ClusterEvent {
	var out []fwk.ClusterEvent
	for _, ps := range q.profiles {
		for _, hs := range ps.hints {
			for _, h := range hs {
				out = append(out, h.Event)
			}
		}
	}
	return out
}

// Run flushes completed backoffs every second and long-unschedulable pods every 30 seconds
// until ctx ends, then closes the queue.
func (q *Queue) Run(ctx context.Context) {
	logger := klog.FromContext(ctx)
	backoffTicker := q.opts.Clock.NewTicker(time.Second)
	defer backoffTicker.Stop()
	flushTicker := q.opts.Clock.NewTicker(30 * time.Second)
	defer flushTicker.Stop()
	for {
		select {
		case <-ctx.Done():
			q.Close()
			return
		case <-backoffTicker.C():
			q.FlushBackoffCompleted(logger)
		case <-flushTicker.C():
			q.FlushUnschedulableLeftover(logger)
		}
	}
}

// Close wakes Pop callers, which then return ErrClosed.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// Add queues a new pending pod.
func (q *Queue) Add(logger klog.Logger, pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	pi := q.newQueuedPodInfo(pod)
	q.AddNominatedPod(logger, pi.PodInfo, nil)
	q.moveToActive(logger, pi, "PodAdd")
}

func (q *Queue) newQueuedPodInfo(pod *corev1.Pod) *QueuedPodInfo {
	pi, _ := nodeinfo.NewPodInfo(pod)
	return &QueuedPodInfo{PodInfo: pi, Timestamp: q.opts.Clock.Now(), Profile: pod.Spec.SchedulerName}
}

// moveToActive puts p in the active queue unless PreEnqueue gates it. Caller holds mu.
func (q *Queue) moveToActive(logger klog.Logger, p *QueuedPodInfo, reason string) bool {
	if plugin := q.gate(logger, p.Pod); plugin != "" {
		p.GatingPlugin = plugin
		q.backoff.delete(p.key())
		q.unschedulable[p.key()] = p
		return false
	}
	p.GatingPlugin = ""
	delete(q.unschedulable, p.key())
	q.backoff.delete(p.key())
	q.active.addOrUpdate(p)
	q.cond.Broadcast()
	logger.V(5).Info("Pod moved to an internal scheduling queue", "pod", klog.KObj(p.Pod), "queue", "Active", "event", reason)
	return true
}

// gate runs PreEnqueue for pod and returns the gating plugin, if any.
func (q *Queue) gate(logger klog.Logger, pod *corev1.Pod) string {
	ps, ok := q.profiles[pod.Spec.SchedulerName]
	if !ok {
		return ""
	}
	if ps.ownGates && len(pod.Spec.SchedulingGates) > 0 {
		return schedulingGatesPlugin
	}
	s := ps.RunPreEnqueuePlugins(klog.NewContext(context.Background(), logger), pod)
	if s.IsSuccess() {
		return ""
	}
	return s.Plugin()
}

// Pop blocks until a pod is active (or the queue closes) and marks it in flight.
func (q *Queue) Pop(logger klog.Logger) (*QueuedPodInfo, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.active.Len() == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, ErrClosed
	}
	p := q.active.pop()
	p.Attempts++
	if p.InitialAttemptTimestamp == nil {
		t := q.opts.Clock.Now()
		p.InitialAttemptTimestamp = &t
	}
	q.inFlight[p.Pod.UID] = &flight{}
	// Rejections of the previous attempt are reset for this one.
	p.UnschedulablePlugins, p.PendingPlugins = nil, nil
	return p, nil
}

// Done ends the pod's flight (its scheduling attempt, including binding).
func (q *Queue) Done(uid types.UID) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.inFlight, uid)
}

// AddUnschedulableIfNotPresent returns a pod whose attempt failed: to the backoff queue on
// errors or when an event during its attempt may have helped, else to the unschedulable pool.
func (q *Queue) AddUnschedulableIfNotPresent(logger klog.Logger, p *QueuedPodInfo) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	f := q.inFlight[p.Pod.UID]
	delete(q.inFlight, p.Pod.UID)
	key := p.key()
	if _, ok := q.active.get(key); ok {
		return fmt.Errorf("pod %v is already present in the active queue", klog.KObj(p.Pod))
	}
	if _, ok := q.backoff.get(key); ok {
		return fmt.Errorf("pod %v is already present in the backoff queue", klog.KObj(p.Pod))
	}
	p.Timestamp = q.opts.Clock.Now()
	if p.UnschedulablePlugins.Len() == 0 && p.PendingPlugins.Len() == 0 {
		q.toBackoffOrActive(logger, p, "ScheduleAttemptFailure")
		return nil
	}
	if f != nil {
		for _, e := range f.events {
			if f.overflow || q.worthRequeuing(logger, p, e.event, e.old, e.new) {
				q.requeue(logger, p, e.event.Label())
				return nil
			}
		}
	}
	q.unschedulable[key] = p
	logger.V(5).Info("Pod moved to an internal scheduling queue", "pod", klog.KObj(p.Pod), "queue", "Unschedulable")
	return nil
}

// requeue moves p out of the unschedulable pool: straight to active for Pending rejections,
// else through backoff. Caller holds mu.
func (q *Queue) requeue(logger klog.Logger, p *QueuedPodInfo, reason string) {
	if p.PendingPlugins.Len() > 0 && p.UnschedulablePlugins.Len() == 0 {
		q.moveToActive(logger, p, reason)
		return
	}
	q.toBackoffOrActive(logger, p, reason)
}

func (q *Queue) toBackoffOrActive(logger klog.Logger, p *QueuedPodInfo, reason string) {
	if q.backoffTime(p).After(q.opts.Clock.Now()) {
		if plugin := q.gate(logger, p.Pod); plugin != "" {
			p.GatingPlugin = plugin
			q.unschedulable[p.key()] = p
			return
		}
		delete(q.unschedulable, p.key())
		p.backoffExpiration = q.backoffTime(p)
		q.backoff.addOrUpdate(p)
		logger.V(5).Info("Pod moved to an internal scheduling queue", "pod", klog.KObj(p.Pod), "queue", "Backoff", "event", reason)
		return
	}
	q.moveToActive(logger, p, reason)
}

// backoffTime is the end of p's backoff: Timestamp + initial * 2^(count-1), at most max.
func (q *Queue) backoffTime(p *QueuedPodInfo) time.Time {
	count := p.UnschedulableCount
	if p.ConsecutiveErrorsCount > 0 {
		count = p.ConsecutiveErrorsCount
	}
	return p.Timestamp.Add(BackoffDuration(count, q.opts.InitialBackoff, q.opts.MaxBackoff))
}

// BackoffDuration is initial * 2^(count-1), capped at maxBackoff; 0 for count 0.
func BackoffDuration(count int, initial, maxBackoff time.Duration) time.Duration {
	if count == 0 {
		return 0
	}
	d := initial
	for i := 1; i < count; i++ {
		if d > maxBackoff/2 {
			return maxBackoff
		}
		d *= 2
	}
	return min(d, maxBackoff)
}

// worthRequeuing asks the rejecting plugins' queueing hints whether the event may help p.
func (q *Queue) worthRequeuing(logger klog.Logger, p *QueuedPodInfo, event fwk.ClusterEvent, oldObj, newObj any) bool {
	if isWildCard(event) {
		return true
	}
	rejectors := p.UnschedulablePlugins.Union(p.PendingPlugins)
	if p.GatingPlugin != "" {
		rejectors = sets.New(p.GatingPlugin)
	}
	if rejectors.Len() == 0 {
		return true
	}
	ps, ok := q.profiles[p.Profile]
	if !ok {
		return true
	}
	for plugin := range rejectors {
		hints, ok := ps.hints[plugin]
		if !ok && plugin == schedulingGatesPlugin && ps.ownGates {
			hints = []fwk.ClusterEventWithHint{{Event: fwk.ClusterEvent{Resource: fwk.Pod, ActionType: fwk.UpdatePodSchedulingGatesEliminated}}}
		}
		for _, h := range hints {
			if !matchEvent(h.Event, event) {
				continue
			}
			if h.QueueingHintFn == nil {
				return true
			}
			hint, err := h.QueueingHintFn(logger, p.Pod, oldObj, newObj)
			if err != nil {
				logger.Error(err, "QueueingHintFn returns error", "event", event.Label(), "plugin", plugin, "pod", klog.KObj(p.Pod))
				return true
			}
			if hint == fwk.Queue {
				return true
			}
		}
	}
	return false
}
