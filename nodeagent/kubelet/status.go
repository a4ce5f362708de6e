package kubelet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"
)

// containerID is the status form of a runtime container ID: <runtime>://<id>.
func (k *Kubelet) containerID(id string) string {
	return k.runtimeName() + "://" + id
}

func (k *Kubelet) runtimeName() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.criName
}

// generateStatus is the pod's status from the runtime's state. terminal says the pod will run
// nothing more (it is being deleted and its containers are stopped, or it finished).
func (k *Kubelet) generateStatus(pod *corev1.Pod, rt *podRuntime, w *podWorker, terminal bool) corev1.PodStatus {
	old := pod.Status
	s := corev1.PodStatus{
		QOSClass:              podQOS(pod),
		HostIP:                k.nodeIPs[0].String(),
		StartTime:             old.StartTime,
		ObservedGeneration:    pod.Generation,
		NominatedNodeName:     old.NominatedNodeName,
		Resize:                old.Resize,
		ResourceClaimStatuses: old.ResourceClaimStatuses,
	}
	for _, ip := range k.nodeIPs {
		s.HostIPs = append(s.HostIPs, corev1.HostIP{IP: ip.String()})
	}
	if s.StartTime == nil {
		// Kept by the worker until the informer shows the posted one.
		if w.startTime == nil {
			w.startTime = ptr.To(metav1.NewTime(k.clock.Now().Truncate(time.Second)))
		}
		s.StartTime = w.startTime
	}
	ips := rt.podIPs()
	if pod.Spec.HostNetwork {
		ips = []string{k.nodeIPs[0].String()}
	}
	if len(ips) == 0 && len(old.PodIPs) > 0 {
		// A stopped sandbox keeps the IPs it had, as upstream reports them.
		s.PodIP, s.PodIPs = old.PodIP, old.PodIPs
	}
	for i, ip := range ips {
		if i == 0 {
			s.PodIP = ip
		}
		s.PodIPs = append(s.PodIPs, corev1.PodIP{IP: ip})
	}
	initialized := false
	for _, c := range pod.Spec.Containers {
		if cur, _ := rt.latest(c.Name); cur != nil {
			initialized = true
		}
	}
	for i := range pod.Spec.InitContainers {
		s.InitContainerStatuses = append(s.InitContainerStatuses, k.containerStatus(pod, &pod.Spec.InitContainers[i], rt, w, true, initialized, terminal))
	}
	for i := range pod.Spec.Containers {
		s.ContainerStatuses = append(s.ContainerStatuses, k.containerStatus(pod, &pod.Spec.Containers[i], rt, w, false, initialized, terminal))
	}
	if k.o.Probes != nil {
		k.o.Probes.UpdatePodStatus(pod, &s)
	} else {
		defaultReadiness(&s)
	}
	for i := range s.InitContainerStatuses {
		cs := &s.InitContainerStatuses[i]
		if !isRestartable(&pod.Spec.InitContainers[i]) {
			cs.Ready = cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0
		}
	}
	s.Phase = podPhase(pod, s.InitContainerStatuses, s.ContainerStatuses, terminal, initialized)
	s.Conditions = podConditions(pod, &old, &s, sandboxNotReady(pod, rt), k.clock.Now())
	s.Reason, s.Message = old.Reason, old.Message // set by others (evictions), never by this kubelet
	return s
}

// sandboxNotReady says why the pod's sandbox cannot run containers, in upstream's words; "" when
// it can.
func sandboxNotReady(pod *corev1.Pod, rt *podRuntime) string {
	ready := 0
	for _, s := range rt.sandboxes {
		if s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
			ready++
		}
	}
	switch {
	case len(rt.sandboxes) == 0:
		return "no pod sandbox exists"
	case ready > 1:
		return "multiple pod sandboxes are ready and need to be reconciled"
	case !rt.sandboxReady():
		return "pod sandbox is not ready"
	case !pod.Spec.HostNetwork && len(rt.podIPs()) == 0:
		return "pod sandbox has no IP address"
	}
	return ""
}

// defaultReadiness is the status without a ProbeManager: running containers are ready and started.
func defaultReadiness(s *corev1.PodStatus) {
	for _, list := range [][]corev1.ContainerStatus{s.InitContainerStatuses, s.ContainerStatuses} {
		for i := range list {
			running := list[i].State.Running != nil
			list[i].Ready = running
			list[i].Started = ptr.To(running)
		}
	}
}

// containerStatus is one container's status from its newest and previous instances.
func (k *Kubelet) containerStatus(pod *corev1.Pod, c *corev1.Container, rt *podRuntime, w *podWorker, init, initialized, terminal bool) corev1.ContainerStatus {
	cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, Started: ptr.To(false), VolumeMounts: volumeMountStatuses(c)}
	if len(c.Resources.Requests) > 0 {
		cs.AllocatedResources = c.Resources.Requests.DeepCopy()
	}
	cur, prev := rt.latest(c.Name)
	wr, hasWaiting := w.waiting[c.Name]
	if cur == nil {
		reason := reasonContainerCreating
		if init || (!initialized && len(pod.Spec.InitContainers) > 0) {
			reason = reasonPodInitializing
		}
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason}
		if hasWaiting && !terminal {
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: wr.reason, Message: wr.message}
		}
		return cs
	}
	cs.RestartCount = int32(cur.restartCount)
	cs.ContainerID = k.containerID(cur.id)
	if img := cur.status.GetImage().GetImage(); img != "" {
		cs.Image = img
	}
	cs.ImageID = cur.status.GetImageRef()
	if prev != nil && prev.exited() {
		cs.LastTerminationState.Terminated = k.terminated(prev)
	}
	switch cur.status.GetState() {
	case runtimeapi.ContainerState_CONTAINER_RUNNING:
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: nanoTime(cur.status.GetStartedAt())}
		cs.Resources = actuatedResources(c)
	case runtimeapi.ContainerState_CONTAINER_EXITED:
		t := k.terminated(cur)
		if hasWaiting && !terminal && shouldRestart(pod, c, t.ExitCode) {
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: wr.reason, Message: wr.message}
			cs.LastTerminationState = corev1.ContainerState{Terminated: t}
		} else {
			cs.State.Terminated = t
		}
	default:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: reasonContainerCreating}
		if hasWaiting {
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: wr.reason, Message: wr.message}
		}
	}
	return cs
}

// volumeMountStatuses are the container's mounts as status.volumeMounts reports them; read-only
// mounts are not recursively read-only (the runtime does not support it).
func volumeMountStatuses(c *corev1.Container) []corev1.VolumeMountStatus {
	var out []corev1.VolumeMountStatus
	for _, m := range c.VolumeMounts {
		s := corev1.VolumeMountStatus{Name: m.Name, MountPath: m.MountPath, ReadOnly: m.ReadOnly}
		if m.ReadOnly {
			s.RecursiveReadOnly = ptr.To(corev1.RecursiveReadOnlyDisabled)
		}
		out = append(out, s)
	}
	return out
}

// actuatedResources are a running container's CPU and memory requests and limits, as applied.
func actuatedResources(c *corev1.Container) *corev1.ResourceRequirements {
	pick := func(l corev1.ResourceList) corev1.ResourceList {
		var out corev1.ResourceList
		for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := l[name]; ok {
				if out == nil {
					out = corev1.ResourceList{}
				}
				out[name] = q.DeepCopy()
			}
		}
		return out
	}
	r := &corev1.ResourceRequirements{Requests: pick(c.Resources.Requests), Limits: pick(c.Resources.Limits)}
	if r.Requests == nil && r.Limits == nil {
		return nil
	}
	return r
}

func (k *Kubelet) terminated(c *runtimeContainer) *corev1.ContainerStateTerminated {
	st := c.status
	return &corev1.ContainerStateTerminated{
		ExitCode: st.GetExitCode(), Reason: st.GetReason(), Message: terminationMessage(st),
		StartedAt: nanoTime(st.GetStartedAt()), FinishedAt: nanoTime(st.GetFinishedAt()),
		ContainerID: k.containerID(c.id),
	}
}

func nanoTime(ns int64) metav1.Time {
	if ns == 0 {
		return metav1.Time{}
	}
	return metav1.NewTime(time.Unix(0, ns))
}

// postStatus patches the pod's status when it differs from what the API has, keeping the
// conditions other components own.
func (k *Kubelet) postStatus(ctx context.Context, w *podWorker, pod *corev1.Pod, s corev1.PodStatus) error {
	if isTerminal(pod.Status.Phase) {
		s.Phase = pod.Status.Phase // a terminal phase never changes
	}
	s.Conditions = mergeForeignConditions(pod.Status.Conditions, s.Conditions)
	oldData, err := json.Marshal(corev1.Pod{Status: pod.Status})
	if err != nil {
		return err
	}
	newData, err := json.Marshal(corev1.Pod{Status: s})
	if err != nil {
		return err
	}
	if pod.ResourceVersion == w.postedOver && bytes.Equal(newData, w.posted) {
		return nil // posted already; the informer has not caught up
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(oldData, newData, corev1.Pod{})
	if err != nil {
		return err
	}
	if string(patch) == "{}" {
		return nil // unchanged (at the API's one-second resolution of times)
	}
	// The UID precondition keeps the patch off a new pod of the same name.
	patch, err = withUID(patch, pod.UID)
	if err != nil {
		return err
	}
	_, err = k.client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
	if err != nil {
		return fmt.Errorf("patching the pod status: %w", err)
	}
	w.posted, w.postedOver = newData, pod.ResourceVersion
	return nil
}

func withUID(patch []byte, uid types.UID) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(patch, &m); err != nil {
		return nil, err
	}
	m["metadata"] = map[string]any{"uid": uid}
	return json.Marshal(m)
}
