package prober

import (
	"context"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// Config is what a Manager needs.
type Config struct {
	// Runtime runs exec probes (ExecSync).
	Runtime cri.Runtime
	// Recorder records the Unhealthy and ProbeWarning events; nil records none.
	Recorder record.EventRecorder
	// Clock drives probe periods and initial delays; default the real clock.
	Clock clock.WithTicker
	// Logger is the workers' logger; default klog.Background().
	Logger klog.Logger
}

// Manager runs one worker per container and probe type of the pods it is given, keeps the
// results by container ID, turns them into the Ready and Started of container statuses and
// reports liveness and startup failures. Workers find the pod's IP and the containers' IDs and
// states in the latest status the Manager was given (UpdatePod, UpdatePodStatus).
type Manager struct {
	prober   *prober
	clock    clock.WithTicker
	start    time.Time
	failures chan Failure
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu      sync.RWMutex
	workers map[probeKey]*worker
	pods    map[types.UID]*podState
	results map[resultKey]ownedResult

	// probed, when set (tests), is called after each round of a worker.
	probed func(probeKey)
}

// probeKey names a worker.
type probeKey struct {
	pod       types.UID
	container string
	probeType probeType
}

// resultKey names a result: the container ID in its status's form and the probe type.
type resultKey struct {
	containerID string
	probeType   probeType
}

// ownedResult is a result and the worker that set it, which alone removes it.
type ownedResult struct {
	result result
	owner  *worker
}

// podState is the latest pod object and status the manager knows of a pod.
type podState struct {
	pod    *corev1.Pod
	status *corev1.PodStatus
	// synced is set once UpdatePodStatus gave a status: the freshest there is (the kubelet's
	// own, from the runtime), which the pod objects' statuses (the API's) may lag behind.
	synced bool
}

// NewManager returns a Manager; Stop ends its workers.
func NewManager(cfg Config) *Manager {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	logger := cfg.Logger
	if logger.GetSink() == nil {
		logger = klog.Background()
	}
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), logger.WithName("prober")))
	return &Manager{
		prober:   &prober{rt: cfg.Runtime, recorder: cfg.Recorder, transport: newHTTPTransport()},
		clock:    cfg.Clock,
		start:    cfg.Clock.Now(),
		failures: make(chan Failure, 64),
		ctx:      ctx,
		cancel:   cancel,
		workers:  map[probeKey]*worker{},
		pods:     map[types.UID]*podState{},
		results:  map[resultKey]ownedResult{},
	}
}

// Stop ends all workers and waits for them.
func (m *Manager) Stop() {
	m.cancel()
	m.wg.Wait()
	m.prober.transport.CloseIdleConnections()
}

// LivenessFailures delivers containers that failed their liveness or startup probe.
func (m *Manager) LivenessFailures() <-chan Failure { return m.failures }

// AddPod starts the workers of pod's containers and sidecars that have probes and do not have
// a worker yet. Its status is taken as the latest only if the manager has none yet.
func (m *Manager) AddPod(pod *corev1.Pod) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.ctx.Err() != nil {
		return // stopped
	}
	if ps, ok := m.pods[pod.UID]; ok {
		ps.pod = pod
	} else {
		m.pods[pod.UID] = &podState{pod: pod, status: pod.Status.DeepCopy()}
	}
	for _, c := range probedContainers(pod) {
		for _, t := range []probeType{startup, readiness, liveness} {
			key := probeKey{pod: pod.UID, container: c.Name, probeType: t}
			if probeOf(&c, t) == nil || m.workers[key] != nil {
				continue
			}
			w := newWorker(m, key, pod, c)
			m.workers[key] = w
			m.wg.Add(1)
			go w.run()
		}
	}
}

// RemovePod stops the workers of pod and forgets it.
func (m *Manager) RemovePod(pod *corev1.Pod) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key, w := range m.workers {
		if key.pod == pod.UID {
			w.stop()
			delete(m.workers, key)
		}
	}
	delete(m.pods, pod.UID)
}

// UpdatePod gives the workers of pod its latest object: its deletion timestamp and its status,
// with the pod's IP and the containers' IDs and states. The kubelet calls it after each status
// change it makes. Once UpdatePodStatus was called for the pod, the status it was given (with
// the Ready and Started it set) is the one workers use and UpdatePod only updates the object.
func (m *Manager) UpdatePod(pod *corev1.Pod) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ps, ok := m.pods[pod.UID]; ok {
		ps.pod = pod
		if !ps.synced {
			ps.status = pod.Status.DeepCopy()
		}
	}
}

// probedContainers are the containers of pod whose probes run: regular containers and sidecars
// (init containers with restartPolicy Always).
func probedContainers(pod *corev1.Pod) []corev1.Container {
	var out []corev1.Container
	for _, c := range pod.Spec.InitContainers {
		if isSidecar(&c) {
			out = append(out, c)
		}
	}
	return append(out, pod.Spec.Containers...)
}

func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podStatus is the latest pod object and a copy of its latest status.
func (m *Manager) podStatus(uid types.UID) (*corev1.Pod, *corev1.PodStatus, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	ps, ok := m.pods[uid]
	if !ok || ps.status == nil {
		return nil, nil, false
	}
	return ps.pod, ps.status.DeepCopy(), true
}

func (m *Manager) result(containerID string, t probeType) (result, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.results[resultKey{containerID, t}]
	return r.result, ok
}

func (m *Manager) setResult(w *worker, containerID string, r result) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.results[resultKey{containerID, w.key.probeType}] = ownedResult{result: r, owner: w}
}

func (m *Manager) deleteResult(w *worker, containerID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := resultKey{containerID, w.key.probeType}
	if m.results[key].owner == w {
		delete(m.results, key)
	}
}

func (m *Manager) worker(key probeKey) (*worker, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	w, ok := m.workers[key]
	return w, ok
}

// removeWorker forgets w when it ended by itself.
func (m *Manager) removeWorker(w *worker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.workers[w.key] == w {
		delete(m.workers, w.key)
	}
}

// restartGrace is how long before the manager's start a container must have started to count
// as running before the node agent restarted (upstream's kubelet restart grace period).
const restartGrace = 10 * time.Second

// predates reports whether a running container started before the node agent did, so that
// its probe results of before are unknown rather than initial.
func (m *Manager) predates(cs *corev1.ContainerStatus) bool {
	if cs.State.Running == nil {
		return false
	}
	t := cs.State.Running.StartedAt.Time
	return !t.IsZero() && t.Before(m.start.Add(-restartGrace))
}
