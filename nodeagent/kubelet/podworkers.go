package kubelet

import (
	"context"
	"errors"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
)

// podWorkers run one goroutine per pod, so that a pod's syncs never overlap: each worker syncs
// when the pod changes, when asked to, and every relist period (upstream's PLEG relist).
type podWorkers struct {
	k       *Kubelet
	mu      sync.Mutex
	ctx     context.Context
	workers map[types.UID]*podWorker
	wg      sync.WaitGroup
}

// podWorker is one pod's goroutine and what its syncs remember.
type podWorker struct {
	uid  types.UID
	wake chan struct{}

	mu  sync.Mutex
	pod *corev1.Pod // last seen

	// Owned by the worker goroutine.
	cache   statusCache
	waiting map[string]waitingReason // container name -> why it is not running
	// posted is the status last patched over the pod at resource version postedOver.
	posted     []byte
	postedOver string
	// startTime is the pod's status.startTime once first reported.
	startTime *metav1.Time
	// terminated is set once a deleted pod is stopped, removed and its deletion confirmed.
	terminated bool
	kills      map[string]string // container name -> failed probe ("Liveness", "Startup")
	killsMu    sync.Mutex
}

// waitingReason is a container's waiting state set by the last sync.
type waitingReason struct{ reason, message string }

func newPodWorkers(k *Kubelet) *podWorkers {
	return &podWorkers{k: k, workers: map[types.UID]*podWorker{}}
}

// start lets workers run under ctx; kicks before it are kept until then.
func (p *podWorkers) start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ctx = ctx
	for _, w := range p.workers {
		p.spawn(w)
	}
}

// kick records pod's latest state and wakes its worker, starting one if needed.
func (p *podWorkers) kick(pod *corev1.Pod) {
	p.mu.Lock()
	w, ok := p.workers[pod.UID]
	if !ok {
		w = &podWorker{uid: pod.UID, pod: pod, wake: make(chan struct{}, 1), waiting: map[string]waitingReason{}, kills: map[string]string{}}
		p.workers[pod.UID] = w
		if p.ctx != nil {
			p.spawn(w)
		}
	}
	p.mu.Unlock()
	w.mu.Lock()
	w.pod = pod
	w.mu.Unlock()
	w.poke()
}

// kill asks uid's worker to kill a container whose probe failed.
func (p *podWorkers) kill(uid types.UID, container, probe string) {
	p.mu.Lock()
	w := p.workers[uid]
	p.mu.Unlock()
	if w == nil {
		return
	}
	w.killsMu.Lock()
	w.kills[container] = probe
	w.killsMu.Unlock()
	w.poke()
}

func (w *podWorker) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *podWorker) lastPod() *corev1.Pod {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.pod
}

func (w *podWorker) takeKill(container string) (string, bool) {
	w.killsMu.Lock()
	defer w.killsMu.Unlock()
	probe, ok := w.kills[container]
	delete(w.kills, container)
	return probe, ok
}

// spawn runs w; called with p.mu held.
func (p *podWorkers) spawn(w *podWorker) {
	ctx := p.ctx
	p.wg.Go(func() {
		logger := klog.FromContext(ctx).WithValues("pod", klog.KObj(w.lastPod()), "podUID", w.uid)
		ctx := klog.NewContext(ctx, logger)
		t := p.k.clock.NewTimer(0)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			case <-t.C():
			}
			done, err := p.k.syncPod(ctx, w)
			var we *waitingError
			switch {
			case err == nil, ctx.Err() != nil:
			case errors.As(err, &we):
				logger.V(4).Info("Pod waiting", "err", err) // in the pod's status and events already
			default:
				logger.Error(err, "Error syncing pod, skipping")
			}
			if done {
				p.mu.Lock()
				delete(p.workers, w.uid)
				p.mu.Unlock()
				logger.V(2).Info("Pod worker finished")
				return
			}
			t.Stop()
			t.Reset(p.k.relistPeriod(w))
		}
	})
}

// stopAll waits for the workers, whose context has ended.
func (p *podWorkers) stopAll() { p.wg.Wait() }

// relistPeriod is how soon the worker looks at its pod again unless woken.
func (k *Kubelet) relistPeriod(w *podWorker) time.Duration {
	if pod := w.lastPod(); w.terminated || (pod != nil && isTerminal(pod.Status.Phase) && pod.DeletionTimestamp == nil) {
		return 10 * k.o.RelistPeriod
	}
	return k.o.RelistPeriod
}

func isTerminal(p corev1.PodPhase) bool {
	return p == corev1.PodSucceeded || p == corev1.PodFailed
}
