package prober

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/klog/v2"
)

// worker probes one container's probe of one type periodically, until it is stopped, the pod
// ends or the container ended for good.
type worker struct {
	m         *Manager
	key       probeKey
	container corev1.Container
	spec      *corev1.Probe
	// initial is the result of a new container until its probe crosses a threshold.
	initial result
	ctx     context.Context
	stop    context.CancelFunc
	trigger chan struct{}

	// Owned by the worker's goroutine.
	containerID string
	lastResult  result
	resultRun   int
	// onHold stops probing until a new container: after a liveness failure (the container is
	// being killed) and once a startup probe reached its threshold.
	onHold bool
}

func newWorker(m *Manager, key probeKey, pod *corev1.Pod, c corev1.Container) *worker {
	logger := klog.FromContext(m.ctx).WithValues("pod", klog.KObj(pod), "podUID", pod.UID, "containerName", c.Name, "probeType", key.probeType)
	ctx, cancel := context.WithCancel(klog.NewContext(m.ctx, logger))
	w := &worker{m: m, key: key, container: c, spec: withDefaults(probeOf(&c, key.probeType)),
		ctx: ctx, stop: cancel, trigger: make(chan struct{}, 1)}
	switch key.probeType {
	case readiness:
		w.initial = failure
	case liveness:
		w.initial = success
	case startup:
		w.initial = unknown
	}
	return w
}

// withDefaults fills what the API server defaults, for pods that did not come through one.
func withDefaults(p *corev1.Probe) *corev1.Probe {
	p = p.DeepCopy()
	if p.PeriodSeconds <= 0 {
		p.PeriodSeconds = 10
	}
	if p.TimeoutSeconds <= 0 {
		p.TimeoutSeconds = 1
	}
	if p.SuccessThreshold <= 0 {
		p.SuccessThreshold = 1
	}
	if p.FailureThreshold <= 0 {
		p.FailureThreshold = 3
	}
	return p
}

// run probes right away and then every period (or when triggered) until doProbe says to stop.
func (w *worker) run() {
	defer w.m.wg.Done()
	defer func() {
		if w.containerID != "" {
			w.m.deleteResult(w, w.containerID)
		}
		w.m.removeWorker(w)
		w.stop()
	}()
	period := time.Duration(w.spec.PeriodSeconds) * time.Second
	ticker := w.m.clock.NewTicker(period)
	defer func() { ticker.Stop() }()
	for {
		keep := w.doProbeSafe()
		if w.m.probed != nil {
			w.m.probed(w.key)
		}
		if !keep {
			return
		}
		select {
		case <-w.ctx.Done():
			return
		case <-ticker.C():
		case <-w.trigger:
			// The next period starts now.
			ticker.Stop()
			ticker = w.m.clock.NewTicker(period)
		}
	}
}

// triggerNow makes the worker probe without waiting for its period, if it is not busy.
func (w *worker) triggerNow() {
	select {
	case w.trigger <- struct{}{}:
	default:
	}
}

// doProbeSafe is doProbe that keeps the worker going when it panics.
func (w *worker) doProbeSafe() (keep bool) {
	defer func() {
		if r := recover(); r != nil {
			utilruntime.HandleErrorWithContext(w.ctx, fmt.Errorf("probe worker panicked: %v", r), "Probe worker panicked")
			keep = true
		}
	}()
	return w.doProbe()
}

// doProbe probes once if the container's state allows it and records the result; it returns
// whether the worker should go on.
func (w *worker) doProbe() bool {
	logger := klog.FromContext(w.ctx)
	pod, status, ok := w.m.podStatus(w.key.pod)
	if !ok {
		return true // no status yet, or the pod is being removed
	}
	if status.Phase == corev1.PodFailed || status.Phase == corev1.PodSucceeded {
		logger.V(3).Info("Pod is terminated, exiting probe worker", "phase", status.Phase)
		return false
	}
	cs := findStatus(status, w.container.Name)
	if cs == nil {
		logger.V(3).Info("Probe target container not found")
		return true
	}
	if cs.ContainerID != w.containerID {
		if w.containerID != "" {
			w.m.deleteResult(w, w.containerID)
		}
		w.containerID = cs.ContainerID
		w.lastResult, w.resultRun, w.onHold = "", 0, false
		// A container that ran before the node agent restarted keeps its readiness until probed.
		if !w.m.predates(cs) {
			w.m.setResult(w, w.containerID, w.initial)
		}
	}
	if w.onHold {
		return true
	}
	if cs.State.Running == nil {
		logger.V(3).Info("Non-running container probed")
		w.m.setResult(w, w.containerID, failure)
		if cs.State.Terminated == nil {
			return true
		}
		return willRestart(pod, &w.container, cs.State.Terminated.ExitCode)
	}
	t := w.key.probeType
	if pod.DeletionTimestamp != nil && (t == liveness || t == startup) {
		logger.V(3).Info("Pod deletion requested, setting probe result to success")
		w.m.setResult(w, w.containerID, success)
		return false
	}
	if w.m.clock.Since(cs.State.Running.StartedAt.Time) < time.Duration(w.spec.InitialDelaySeconds)*time.Second {
		return true
	}
	// Startup probes run until the container started, the others only after.
	if w.m.started(pod, cs) != (t != startup) {
		return true
	}
	if status.PodIP == "" && usesPodIP(w.spec) {
		logger.V(3).Info("Pod has no IP yet, not probing")
		return true
	}
	res, err := w.m.prober.probe(w.ctx, t, pod, status.PodIP, &w.container, w.containerID)
	if err != nil || w.ctx.Err() != nil {
		return true // thrown away; a stopped worker ends at its select
	}
	if res == w.lastResult {
		w.resultRun++
	} else {
		w.lastResult, w.resultRun = res, 1
	}
	if (res == failure && w.resultRun < int(w.spec.FailureThreshold)) ||
		(res == success && w.resultRun < int(w.spec.SuccessThreshold)) {
		return true
	}
	w.m.setResult(w, w.containerID, res)
	if (t == liveness && res == failure) || t == startup {
		w.onHold, w.resultRun = true, 0
	}
	if res == failure && t != readiness {
		w.report(pod)
	}
	return true
}

// report hands a liveness or startup failure to the kubelet.
func (w *worker) report(pod *corev1.Pod) {
	word := "liveness"
	if w.key.probeType == startup {
		word = "startup"
	}
	f := Failure{Pod: pod.UID, Container: w.container.Name, Probe: w.key.probeType.String(),
		Message: fmt.Sprintf("Container %s failed %s probe", w.container.Name, word)}
	select {
	case w.m.failures <- f:
	case <-w.ctx.Done():
	}
}

// findStatus is the status of the named container (or sidecar) that has a container ID.
func findStatus(status *corev1.PodStatus, name string) *corev1.ContainerStatus {
	for _, list := range [][]corev1.ContainerStatus{status.ContainerStatuses, status.InitContainerStatuses} {
		for i := range list {
			if list[i].Name == name && list[i].ContainerID != "" {
				return &list[i]
			}
		}
	}
	return nil
}

// willRestart reports whether a container that exited with code will be started again: by
// its own restart policy (sidecars, containers with restartPolicy) or the pod's.
func willRestart(pod *corev1.Pod, c *corev1.Container, code int32) bool {
	policy := string(pod.Spec.RestartPolicy)
	if c.RestartPolicy != nil {
		policy = string(*c.RestartPolicy)
	}
	switch policy {
	case string(corev1.RestartPolicyNever):
		return false
	case string(corev1.RestartPolicyOnFailure):
		return code != 0
	}
	return true
}

// usesPodIP reports whether a probe connects to the pod's IP (network probes without a host).
func usesPodIP(p *corev1.Probe) bool {
	return (p.HTTPGet != nil && p.HTTPGet.Host == "") || (p.TCPSocket != nil && p.TCPSocket.Host == "") || p.GRPC != nil
}
