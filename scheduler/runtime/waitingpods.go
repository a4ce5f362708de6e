package runtime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	fwk "k8s.io/kube-scheduler/framework"
)

// maxPermitTimeout caps how long a Permit plugin may make a pod wait, as upstream.
const maxPermitTimeout = 15 * time.Minute

// waitingPods are the pods held at Permit, shared by a scheduler's profiles.
type waitingPods struct {
	mu   sync.RWMutex
	pods map[types.UID]*waitingPod
}

func newWaitingPods() *waitingPods { return &waitingPods{pods: map[types.UID]*waitingPod{}} }

func (m *waitingPods) add(wp *waitingPod) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pods[wp.pod.UID] = wp
}

func (m *waitingPods) remove(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pods, uid)
}

func (m *waitingPods) get(uid types.UID) *waitingPod {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pods[uid]
}

func (m *waitingPods) iterate(fn func(fwk.WaitingPod)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, wp := range m.pods {
		fn(wp)
	}
}

// waitingPod is a pod waiting for its pending Permit plugins; it implements
// framework.WaitingPod.
type waitingPod struct {
	pod     *corev1.Pod
	mu      sync.RWMutex
	pending map[string]*time.Timer
	s       chan *fwk.Status
	done    bool
}

var _ fwk.WaitingPod = &waitingPod{}

// newWaitingPod starts a timer per plugin that rejects the pod when it fires.
func newWaitingPod(pod *corev1.Pod, waits map[string]time.Duration) *waitingPod {
	wp := &waitingPod{pod: pod, s: make(chan *fwk.Status, 1), pending: make(map[string]*time.Timer, len(waits))}
	wp.mu.Lock()
	defer wp.mu.Unlock()
	for plugin, d := range waits {
		wp.pending[plugin] = time.AfterFunc(d, func() {
			wp.Reject(plugin, fmt.Sprintf("rejected due to timeout after waiting %v at plugin %v", d, plugin))
		})
	}
	return wp
}

func (w *waitingPod) GetPod() *corev1.Pod { return w.pod }

func (w *waitingPod) GetPendingPlugins() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	out := make([]string, 0, len(w.pending))
	for p := range w.pending {
		out = append(out, p)
	}
	return out
}

// Allow clears pluginName; when none is pending the pod proceeds.
func (w *waitingPod) Allow(pluginName string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.pending[pluginName]; ok {
		t.Stop()
		delete(w.pending, pluginName)
	}
	if len(w.pending) != 0 {
		return
	}
	select {
	case w.s <- fwk.NewStatus(fwk.Success, ""):
	default:
	}
	w.done = true
}

// Reject makes the pod unschedulable.
func (w *waitingPod) Reject(pluginName, msg string) bool {
	return w.stop(fwk.Unschedulable, pluginName, msg)
}

// Preempt fails the pod with an error so it is retried.
func (w *waitingPod) Preempt(pluginName, msg string) bool {
	return w.stop(fwk.Error, pluginName, msg)
}

func (w *waitingPod) stop(code fwk.Code, pluginName, msg string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, t := range w.pending {
		t.Stop()
	}
	select {
	case w.s <- fwk.NewStatus(code, msg).WithPlugin(pluginName):
	default:
	}
	if w.done {
		return false
	}
	w.done = true
	return true
}

// podsInPreBind are binding cycles that may still be cancelled before the pod is bound.
type podsInPreBind struct {
	mu   sync.RWMutex
	pods map[types.UID]*podInPreBind
}

func newPodsInPreBind() *podsInPreBind { return &podsInPreBind{pods: map[types.UID]*podInPreBind{}} }

func (m *podsInPreBind) add(uid types.UID, cancel context.CancelCauseFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pods[uid] = &podInPreBind{cancel: cancel}
}

func (m *podsInPreBind) get(uid types.UID) *podInPreBind {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.pods[uid]
}

func (m *podsInPreBind) remove(uid types.UID) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.pods, uid)
}

// podInPreBind implements framework.PodInPreBind.
type podInPreBind struct {
	mu       sync.Mutex
	finished bool
	canceled bool
	cancel   context.CancelCauseFunc
}

var _ fwk.PodInPreBind = &podInPreBind{}

// CancelPod cancels the binding cycle unless the pod was marked prebound.
func (p *podInPreBind) CancelPod(reason string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return false
	}
	if !p.canceled {
		p.cancel(errors.New(reason))
	}
	p.canceled = true
	return true
}

// MarkPrebound makes the binding cycle uncancellable; false if it was already cancelled.
func (p *podInPreBind) MarkPrebound() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.canceled {
		return false
	}
	p.finished = true
	return true
}
