package prober

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/record"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

// endpoint is a path of the probe server whose status code the test sets and whose hits it counts.
type endpoint struct {
	code atomic.Int32
	hits atomic.Int32
}

// probeEnv is a Manager on a fake clock whose probes GET endpoints of a loopback server.
type probeEnv struct {
	t         *testing.T
	clock     *testingclock.FakeClock
	m         *Manager
	rec       *record.FakeRecorder
	port      int
	endpoints map[string]*endpoint
	rounds    map[probeKey]chan struct{}
}

func newProbeEnv(t *testing.T) *probeEnv {
	t.Helper()
	e := &probeEnv{t: t, clock: testingclock.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		rec: record.NewFakeRecorder(100), endpoints: map[string]*endpoint{}, rounds: map[probeKey]chan struct{}{}}
	for _, p := range []string{"/live", "/ready", "/start"} {
		e.endpoints[p] = &endpoint{}
		e.endpoints[p].code.Store(http.StatusOK)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, ok := e.endpoints[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		ep.hits.Add(1)
		w.WriteHeader(int(ep.code.Load()))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	e.port, _ = strconv.Atoi(u.Port())
	e.m = NewManager(Config{Clock: e.clock, Recorder: e.rec})
	for _, pt := range []probeType{liveness, readiness, startup} {
		e.rounds[probeKey{pod: "uid-1", container: "web", probeType: pt}] = make(chan struct{}, 100)
	}
	e.m.probed = func(k probeKey) { e.rounds[k] <- struct{}{} }
	t.Cleanup(e.m.Stop)
	return e
}

// probe is an HTTP probe of path on the test server.
func (e *probeEnv) probe(path string, period, failures, successes int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:  corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromInt32(int32(e.port))}},
		PeriodSeconds: period, FailureThreshold: failures, SuccessThreshold: successes, TimeoutSeconds: 5,
	}
}

// pod is a running pod with container web of spec, started now as container id.
func (e *probeEnv) pod(c corev1.Container, id string) *corev1.Pod {
	c.Name = "web"
	pod := testPod(&c)
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "127.0.0.1", ContainerStatuses: []corev1.ContainerStatus{{
		Name: "web", ContainerID: "containerd://" + id,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.NewTime(e.clock.Now())}},
	}}}
	return pod
}

// wait waits for the next round of the worker of probe type t.
func (e *probeEnv) wait(types ...probeType) {
	e.t.Helper()
	for _, t := range types {
		select {
		case <-e.rounds[probeKey{pod: "uid-1", container: "web", probeType: t}]:
		case <-time.After(10 * time.Second):
			e.t.Fatalf("no %s probe round", t)
		}
	}
}

// step advances the clock and waits for a round of each worker named.
func (e *probeEnv) step(d time.Duration, types ...probeType) {
	e.t.Helper()
	e.clock.Step(d)
	e.wait(types...)
}

func (e *probeEnv) hits(path string) int { return int(e.endpoints[path].hits.Load()) }

func (e *probeEnv) result(id string, t probeType) result {
	r, _ := e.m.result("containerd://"+id, t)
	return r
}

func (e *probeEnv) events() []string {
	var out []string
	for len(e.rec.Events) > 0 {
		out = append(out, <-e.rec.Events)
	}
	return out
}

// status runs UpdatePodStatus on a copy of pod's status and returns web's Started and Ready.
func (e *probeEnv) status(pod *corev1.Pod) (started, ready bool) {
	st := pod.Status.DeepCopy()
	e.m.UpdatePodStatus(pod, st)
	cs := st.ContainerStatuses[0]
	return ptr.Deref(cs.Started, false), cs.Ready
}

func (e *probeEnv) noFailure() {
	e.t.Helper()
	select {
	case f := <-e.m.LivenessFailures():
		e.t.Errorf("unexpected failure %+v", f)
	default:
	}
}

func (e *probeEnv) failure() Failure {
	e.t.Helper()
	select {
	case f := <-e.m.LivenessFailures():
		return f
	case <-time.After(10 * time.Second):
		e.t.Fatal("no failure reported")
	}
	return Failure{}
}

func TestLivenessThresholdAndRestart(t *testing.T) {
	e := newProbeEnv(t)
	e.endpoints["/live"].code.Store(http.StatusInternalServerError)
	pod := e.pod(corev1.Container{LivenessProbe: e.probe("/live", 5, 3, 1)}, "1")
	e.m.AddPod(pod)
	e.m.AddPod(pod) // idempotent
	e.wait(liveness)
	if r := e.result("1", liveness); r != success {
		t.Errorf("after 1 failure: %s, want the initial success", r)
	}
	e.step(5*time.Second, liveness)
	e.noFailure()
	e.step(5*time.Second, liveness)
	want := Failure{Pod: "uid-1", Container: "web", Probe: "Liveness", Message: "Container web failed liveness probe"}
	if diff := cmp.Diff(want, e.failure()); diff != "" {
		t.Errorf("failure (-want +got):\n%s", diff)
	}
	if r := e.result("1", liveness); r != failure {
		t.Errorf("after 3 failures: %s", r)
	}
	msg := "Warning Unhealthy Liveness probe failed: HTTP probe failed with statuscode: 500"
	if diff := cmp.Diff([]string{msg, msg, msg}, e.events()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	// On hold until a new container.
	e.step(5*time.Second, liveness)
	if e.hits("/live") != 3 {
		t.Errorf("probed %d times, want 3 (on hold)", e.hits("/live"))
	}
	e.endpoints["/live"].code.Store(http.StatusOK)
	e.m.UpdatePod(e.pod(pod.Spec.Containers[0], "2"))
	e.step(5*time.Second, liveness)
	if e.hits("/live") != 4 || e.result("2", liveness) != success {
		t.Errorf("new container: %d probes, result %s", e.hits("/live"), e.result("2", liveness))
	}
	if _, ok := e.m.result("containerd://1", liveness); ok {
		t.Error("result of the old container kept")
	}
	e.noFailure()
}

func TestReadinessThresholds(t *testing.T) {
	e := newProbeEnv(t)
	pod := e.pod(corev1.Container{ReadinessProbe: e.probe("/ready", 10, 2, 2)}, "1")
	e.m.AddPod(pod)
	e.wait(readiness)
	if r := e.result("1", readiness); r != failure {
		t.Errorf("after 1 success of 2: %s, want the initial failure", r)
	}
	e.step(10*time.Second, readiness)
	if started, ready := e.status(pod); !started || !ready {
		t.Errorf("after 2 successes: started %v ready %v", started, ready)
	}
	e.endpoints["/ready"].code.Store(http.StatusServiceUnavailable)
	e.step(10*time.Second, readiness)
	if _, ready := e.status(pod); !ready {
		t.Error("not ready after 1 failure of 2")
	}
	e.step(10*time.Second, readiness)
	if started, ready := e.status(pod); !started || ready {
		t.Errorf("after 2 failures: started %v ready %v", started, ready)
	}
	// Not ready: UpdatePodStatus probes right away, without waiting for the period.
	e.wait(readiness)
	if e.hits("/ready") != 5 {
		t.Errorf("probed %d times, want 5", e.hits("/ready"))
	}
	msg := "Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 503"
	if diff := cmp.Diff([]string{msg, msg, msg}, e.events()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	e.noFailure()
}

func TestStartupGatesLivenessAndReadiness(t *testing.T) {
	e := newProbeEnv(t)
	e.endpoints["/start"].code.Store(http.StatusInternalServerError)
	pod := e.pod(corev1.Container{
		StartupProbe:   e.probe("/start", 1, 5, 1),
		ReadinessProbe: e.probe("/ready", 1, 3, 1),
		LivenessProbe:  e.probe("/live", 1, 3, 1),
	}, "1")
	e.m.AddPod(pod)
	e.wait(startup, readiness, liveness)
	if started, ready := e.status(pod); started || ready {
		t.Errorf("before startup: started %v ready %v", started, ready)
	}
	e.step(time.Second, startup, readiness, liveness)
	if e.hits("/start") != 2 || e.hits("/ready") != 0 || e.hits("/live") != 0 {
		t.Errorf("probes before startup: start %d ready %d live %d", e.hits("/start"), e.hits("/ready"), e.hits("/live"))
	}
	e.endpoints["/start"].code.Store(http.StatusOK)
	e.step(time.Second, startup, readiness, liveness)
	e.step(time.Second, startup, readiness, liveness)
	if e.hits("/start") != 3 || e.hits("/ready") == 0 || e.hits("/live") == 0 {
		t.Errorf("probes after startup: start %d (want 3) ready %d live %d", e.hits("/start"), e.hits("/ready"), e.hits("/live"))
	}
	if started, ready := e.status(pod); !started || !ready {
		t.Errorf("after startup: started %v ready %v", started, ready)
	}
	e.noFailure()
}

func TestStartupFailure(t *testing.T) {
	e := newProbeEnv(t)
	e.endpoints["/start"].code.Store(http.StatusInternalServerError)
	pod := e.pod(corev1.Container{StartupProbe: e.probe("/start", 1, 2, 1), LivenessProbe: e.probe("/live", 1, 1, 1)}, "1")
	e.m.AddPod(pod)
	e.wait(startup, liveness)
	e.step(time.Second, startup, liveness)
	want := Failure{Pod: "uid-1", Container: "web", Probe: "Startup", Message: "Container web failed startup probe"}
	if diff := cmp.Diff(want, e.failure()); diff != "" {
		t.Errorf("failure (-want +got):\n%s", diff)
	}
	e.step(time.Second, startup, liveness)
	if e.hits("/start") != 2 || e.hits("/live") != 0 {
		t.Errorf("start probed %d times (want 2, on hold), live %d (want 0)", e.hits("/start"), e.hits("/live"))
	}
	if started, _ := e.status(pod); started {
		t.Error("started after a startup failure")
	}
}

func TestInitialDelay(t *testing.T) {
	e := newProbeEnv(t)
	p := e.probe("/live", 10, 3, 1)
	p.InitialDelaySeconds = 15
	e.m.AddPod(e.pod(corev1.Container{LivenessProbe: p}, "1"))
	e.wait(liveness)
	e.step(10*time.Second, liveness)
	if e.hits("/live") != 0 {
		t.Errorf("probed %d times within the initial delay", e.hits("/live"))
	}
	e.step(10*time.Second, liveness)
	if e.hits("/live") != 1 {
		t.Errorf("probed %d times after the initial delay, want 1", e.hits("/live"))
	}
}

func TestWorkerEnds(t *testing.T) {
	terminated := func(pod *corev1.Pod, code int32) {
		pod.Status.ContainerStatuses[0].State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code}}
	}
	tests := []struct {
		name    string
		change  func(*corev1.Pod)
		wantEnd bool
	}{
		{name: "pod succeeded", change: func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }, wantEnd: true},
		{name: "pod failed", change: func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }, wantEnd: true},
		{name: "exited, restartPolicy Never", change: func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyNever; terminated(p, 1) }, wantEnd: true},
		{name: "exited 0, restartPolicy OnFailure", change: func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure; terminated(p, 0) }, wantEnd: true},
		{name: "exited 1, restartPolicy OnFailure", change: func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyOnFailure; terminated(p, 1) }},
		{name: "exited, restartPolicy Always", change: func(p *corev1.Pod) { p.Spec.RestartPolicy = corev1.RestartPolicyAlways; terminated(p, 0) }},
		{name: "being deleted", change: func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{} }, wantEnd: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newProbeEnv(t)
			pod := e.pod(corev1.Container{LivenessProbe: e.probe("/live", 1, 3, 1)}, "1")
			e.m.AddPod(pod)
			e.wait(liveness)
			pod = pod.DeepCopy()
			tt.change(pod)
			e.m.UpdatePod(pod)
			e.step(time.Second, liveness)
			_, exists := e.m.worker(probeKey{pod: "uid-1", container: "web", probeType: liveness})
			if exists == tt.wantEnd {
				t.Errorf("worker exists %v, want %v", exists, !tt.wantEnd)
			}
		})
	}
}

func TestRemovePodAndStop(t *testing.T) {
	e := newProbeEnv(t)
	pod := e.pod(corev1.Container{LivenessProbe: e.probe("/live", 1, 3, 1), ReadinessProbe: e.probe("/ready", 1, 3, 1)}, "1")
	e.m.AddPod(pod)
	e.wait(liveness, readiness)
	e.m.RemovePod(pod)
	if _, ok := e.m.worker(probeKey{pod: "uid-1", container: "web", probeType: readiness}); ok {
		t.Error("worker left after RemovePod")
	}
	// A pod added again gets new workers at once.
	e.m.AddPod(pod)
	e.wait(liveness, readiness)
	stopped := make(chan struct{})
	go func() { e.m.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return: workers left running")
	}
}

func TestUpdatePodStatus(t *testing.T) {
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	tcpFail := &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromInt32(1)}},
		PeriodSeconds: 100, FailureThreshold: 3, TimeoutSeconds: 1}
	old := metav1.NewTime(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) // before the manager started
	tests := []struct {
		name        string
		c           corev1.Container
		init        bool
		state       corev1.ContainerState
		podReady    bool
		wantStarted bool
		wantReady   bool
	}{
		{name: "no probes, running", state: running, wantStarted: true, wantReady: true},
		{name: "no probes, waiting", state: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{}}},
		{name: "readiness probe not passed", c: corev1.Container{ReadinessProbe: tcpFail}, state: running, wantStarted: true},
		{name: "startup probe not passed", c: corev1.Container{StartupProbe: tcpFail}, state: running},
		{name: "init container exited 0", init: true, state: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{}}, wantReady: true},
		{name: "init container exited 1", init: true, state: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1}}},
		{name: "sidecar running", init: true, c: corev1.Container{RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}, state: running, wantStarted: true, wantReady: true},
		{name: "ran before restart, pod ready", c: corev1.Container{ReadinessProbe: tcpFail}, podReady: true,
			state: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: old}}, wantStarted: true, wantReady: true},
		{name: "ran before restart, pod not ready", c: corev1.Container{ReadinessProbe: tcpFail},
			state: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: old}}, wantStarted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewManager(Config{Clock: testingclock.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
			t.Cleanup(m.Stop)
			c := tt.c
			c.Name = "c"
			pod := testPod()
			cs := corev1.ContainerStatus{Name: "c", ContainerID: "containerd://1", State: tt.state}
			pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, PodIP: "127.0.0.1"}
			if tt.init {
				pod.Spec.InitContainers = []corev1.Container{c}
				pod.Status.InitContainerStatuses = []corev1.ContainerStatus{cs}
			} else {
				pod.Spec.Containers = []corev1.Container{c}
				pod.Status.ContainerStatuses = []corev1.ContainerStatus{cs}
			}
			if tt.podReady {
				pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}
			}
			m.AddPod(pod)
			st := pod.Status.DeepCopy()
			m.UpdatePodStatus(pod, st)
			got := append(st.ContainerStatuses, st.InitContainerStatuses...)[0]
			if ptr.Deref(got.Started, false) != tt.wantStarted || got.Ready != tt.wantReady {
				t.Errorf("started %v ready %v, want %v %v", ptr.Deref(got.Started, false), got.Ready, tt.wantStarted, tt.wantReady)
			}
		})
	}
}

func TestNoProbeWithoutPodIP(t *testing.T) {
	e := newProbeEnv(t)
	pod := e.pod(corev1.Container{LivenessProbe: e.probe("/live", 1, 3, 1)}, "1")
	pod.Status.PodIP = ""
	e.m.AddPod(pod)
	e.wait(liveness)
	if e.hits("/live") != 0 {
		t.Errorf("probed without a pod IP")
	}
	pod = pod.DeepCopy()
	pod.Status.PodIP = "127.0.0.1"
	e.m.UpdatePod(pod)
	e.step(time.Second, liveness)
	if e.hits("/live") != 1 {
		t.Errorf("probed %d times with a pod IP, want 1", e.hits("/live"))
	}
}

// Once the kubelet gave a status through UpdatePodStatus, pod objects (the API's, which may lag)
// do not replace it.
func TestSyncedStatusWins(t *testing.T) {
	e := newProbeEnv(t)
	pod := e.pod(corev1.Container{LivenessProbe: e.probe("/live", 1, 3, 1)}, "1")
	e.m.AddPod(pod)
	e.wait(liveness)
	e.status(pod)
	stale := e.pod(pod.Spec.Containers[0], "0")
	stale.Status.Phase = corev1.PodSucceeded
	e.m.UpdatePod(stale)
	e.step(time.Second, liveness)
	if _, ok := e.m.worker(probeKey{pod: "uid-1", container: "web", probeType: liveness}); !ok || e.hits("/live") != 2 {
		t.Errorf("worker followed a stale status: exists %v, probes %d", ok, e.hits("/live"))
	}
}
