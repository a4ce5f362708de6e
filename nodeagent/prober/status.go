package prober

import (
	corev1 "k8s.io/api/core/v1"
)

// UpdatePodStatus sets Started and Ready of status's container statuses from the probe results:
// a running container without a startup probe is started, one without a readiness probe is ready
// once started; init containers that are not sidecars are ready once they exited 0. A container
// with a readiness probe that is not ready yet is probed right away. The manager keeps a copy of
// the result as the pod's latest status.
func (m *Manager) UpdatePodStatus(pod *corev1.Pod, status *corev1.PodStatus) {
	for i := range status.ContainerStatuses {
		cs := &status.ContainerStatuses[i]
		m.setStartedReady(pod, cs, specOf(pod.Spec.Containers, cs.Name))
	}
	for i := range status.InitContainerStatuses {
		cs := &status.InitContainerStatuses[i]
		c := specOf(pod.Spec.InitContainers, cs.Name)
		if c == nil || !isSidecar(c) {
			started := m.started(pod, cs)
			cs.Started = &started
			if t := cs.State.Terminated; t != nil && t.ExitCode == 0 {
				cs.Ready = true
			}
			continue
		}
		m.setStartedReady(pod, cs, c)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if ps, ok := m.pods[pod.UID]; ok {
		ps.status, ps.synced = status.DeepCopy(), true
	}
}

func (m *Manager) setStartedReady(pod *corev1.Pod, cs *corev1.ContainerStatus, c *corev1.Container) {
	started := m.started(pod, cs)
	cs.Started = &started
	if !started || cs.State.Running == nil {
		cs.Ready = false
		return
	}
	r, known := m.result(cs.ContainerID, readiness)
	if known && r == success {
		cs.Ready = true
		return
	}
	w, probed := m.worker(probeKey{pod: pod.UID, container: cs.Name, probeType: readiness})
	cs.Ready = !probed
	if probed {
		w.triggerNow()
	}
	// A container that ran before the node agent restarted and has not been probed since keeps
	// the pod's readiness: ready, unless it has a readiness probe and the pod is not Ready.
	if !known && m.predates(cs) {
		cs.Ready = c == nil || c.ReadinessProbe == nil || podReady(pod)
	}
}

// started reports whether a running container has started: its startup probe succeeded, or it
// has none, or (not probed since the node agent started) its status says it had started.
func (m *Manager) started(pod *corev1.Pod, cs *corev1.ContainerStatus) bool {
	if cs.State.Running == nil {
		return false
	}
	if r, ok := m.result(cs.ContainerID, startup); ok {
		return r == success
	}
	if cs.Started != nil && *cs.Started {
		return true
	}
	for _, list := range [][]corev1.ContainerStatus{pod.Status.ContainerStatuses, pod.Status.InitContainerStatuses} {
		for _, s := range list {
			if s.Name == cs.Name && s.ContainerID == cs.ContainerID && s.Started != nil && *s.Started {
				return true
			}
		}
	}
	_, probed := m.worker(probeKey{pod: pod.UID, container: cs.Name, probeType: startup})
	return !probed
}

func specOf(list []corev1.Container, name string) *corev1.Container {
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
