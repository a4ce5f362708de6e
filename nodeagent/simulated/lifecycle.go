package simulated

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotations on a pod that choose how its simulated containers behave.
const (
	// AnnotationRunSeconds is how long the containers run before they exit; "-1" runs them
	// until deleted. Default: forever for restartPolicy Always, --simulated-run-time otherwise.
	AnnotationRunSeconds = "simulated.skiff.sh/run-seconds"
	// AnnotationExitCode is the exit code of containers that end (default --simulated-exit-code).
	AnnotationExitCode = "simulated.skiff.sh/exit-code"
	// AnnotationStopSeconds is how long containers take to stop once the pod is deleted; the
	// pod's grace period caps it (default 0: they stop at once, as on SIGTERM).
	AnnotationStopSeconds = "simulated.skiff.sh/stop-seconds"
)

// behaviour is what a pod's simulated containers do.
type behaviour struct {
	// runFor is how long containers run before they exit; negative: forever.
	runFor    time.Duration
	exitCode  int32
	stopAfter time.Duration
}

// behaviourOf reads a pod's annotations over the defaults in o.
func behaviourOf(pod *corev1.Pod, o *Options) behaviour {
	b := behaviour{runFor: -1, exitCode: o.ExitCode}
	if pod.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		b.runFor = o.RunTime
	}
	if s, ok := pod.Annotations[AnnotationRunSeconds]; ok {
		if v, err := strconv.ParseFloat(s, 64); err == nil {
			b.runFor = time.Duration(v * float64(time.Second))
		}
	}
	if s, ok := pod.Annotations[AnnotationExitCode]; ok {
		if v, err := strconv.ParseInt(s, 10, 32); err == nil {
			b.exitCode = int32(v)
		}
	}
	if s, ok := pod.Annotations[AnnotationStopSeconds]; ok {
		if v, err := strconv.ParseFloat(s, 64); err == nil && v > 0 {
			b.stopAfter = time.Duration(v * float64(time.Second))
		}
	}
	return b
}

// deleteAfter is how long after now a deleted pod's containers have stopped, so that the
// agent confirms the deletion: never later than the grace period allows.
func deleteAfter(pod *corev1.Pod, b behaviour, now time.Time) time.Duration {
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodPending {
		return 0
	}
	due := pod.DeletionTimestamp.Add(-time.Duration(deref(pod.DeletionGracePeriodSeconds)) * time.Second).Add(b.stopAfter)
	if deadline := pod.DeletionTimestamp.Time; due.After(deadline) {
		due = deadline
	}
	return max(due.Sub(now), 0)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// step is the simulated kubelet's next move for a live pod bound to a node: the status to
// write (nil: nothing to do now) and how long until it must look again (0: only on change).
func step(pod *corev1.Pod, b behaviour, now time.Time, podIP, hostIP string) (*corev1.PodStatus, time.Duration) {
	switch pod.Status.Phase {
	case corev1.PodSucceeded, corev1.PodFailed:
		return nil, 0
	case corev1.PodRunning:
		var next time.Duration
		if b.runFor >= 0 && pod.Status.StartTime != nil {
			due := lastStart(pod).Add(b.runFor)
			if !now.Before(due) {
				return exited(pod, b, now)
			}
			next = due.Sub(now)
		}
		return readyAgain(pod, now), next
	}
	status := pod.Status.DeepCopy()
	t := metav1.NewTime(now)
	status.Phase = corev1.PodRunning
	status.StartTime = &t
	status.HostIP, status.HostIPs = hostIP, []corev1.HostIP{{IP: hostIP}}
	status.PodIP, status.PodIPs = podIP, []corev1.PodIP{{IP: podIP}}
	status.InitContainerStatuses = initStatuses(pod, t)
	status.ContainerStatuses = make([]corev1.ContainerStatus, 0, len(pod.Spec.Containers))
	for _, c := range pod.Spec.Containers {
		status.ContainerStatuses = append(status.ContainerStatuses, running(pod, c, 0, t))
	}
	setConditions(status, t, corev1.ConditionTrue, "")
	next := time.Duration(0)
	if b.runFor >= 0 {
		next = b.runFor
	}
	return status, next
}

// readyAgain is the status that makes a running pod Ready again after someone else marked it
// not ready (nil when it is Ready): the node lifecycle controller does that to the pods of a node
// whose heartbeats it missed, and a kubelet's status manager, comparing the API's status with its
// own, puts its own back.
func readyAgain(pod *corev1.Pod, now time.Time) *corev1.PodStatus {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return nil
		}
	}
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running == nil {
			return nil
		}
	}
	status := pod.Status.DeepCopy()
	for i := range status.ContainerStatuses {
		status.ContainerStatuses[i].Ready = true
	}
	setConditions(status, metav1.NewTime(now), corev1.ConditionTrue, "")
	return status
}

// exited ends the containers' current run: the pod finishes (restartPolicy Never, or
// OnFailure with exit code 0) or they start again with a higher restart count.
func exited(pod *corev1.Pod, b behaviour, now time.Time) (*corev1.PodStatus, time.Duration) {
	status := pod.Status.DeepCopy()
	t := metav1.NewTime(now)
	reason := "Completed"
	if b.exitCode != 0 {
		reason = "Error"
	}
	restart := pod.Spec.RestartPolicy == corev1.RestartPolicyAlways ||
		(pod.Spec.RestartPolicy == corev1.RestartPolicyOnFailure && b.exitCode != 0)
	for i := range status.ContainerStatuses {
		cs := &status.ContainerStatuses[i]
		terminated := corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: b.exitCode, Reason: reason, StartedAt: startedAt(cs), FinishedAt: t, ContainerID: cs.ContainerID,
		}}
		if restart {
			spec := containerSpec(pod, cs.Name)
			next := running(pod, spec, cs.RestartCount+1, t)
			next.LastTerminationState = terminated
			*cs = next
			continue
		}
		cs.State, cs.Ready, cs.Started = terminated, false, ptrTo(false)
	}
	if restart {
		return status, b.runFor
	}
	if b.exitCode == 0 {
		status.Phase = corev1.PodSucceeded
		setConditions(status, t, corev1.ConditionFalse, "PodCompleted")
	} else {
		status.Phase = corev1.PodFailed
		setConditions(status, t, corev1.ConditionFalse, "PodFailed")
	}
	return status, 0
}

// running is a container's status for a run that started at t.
func running(pod *corev1.Pod, c corev1.Container, restarts int32, t metav1.Time) corev1.ContainerStatus {
	return corev1.ContainerStatus{
		Name:         c.Name,
		Image:        c.Image,
		ImageID:      c.Image + "@sha256:" + hash(c.Image),
		ContainerID:  "containerd://" + hash(string(pod.UID), c.Name, strconv.Itoa(int(restarts))),
		Ready:        true,
		Started:      ptrTo(true),
		RestartCount: restarts,
		State:        corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: t}},
	}
}

// initStatuses: regular init containers have completed, sidecars (restartPolicy Always) run.
func initStatuses(pod *corev1.Pod, t metav1.Time) []corev1.ContainerStatus {
	if len(pod.Spec.InitContainers) == 0 {
		return nil
	}
	out := make([]corev1.ContainerStatus, 0, len(pod.Spec.InitContainers))
	for _, c := range pod.Spec.InitContainers {
		cs := running(pod, c, 0, t)
		if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
			cs.Started = ptrTo(false)
			cs.State = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
				ExitCode: 0, Reason: "Completed", StartedAt: t, FinishedAt: t, ContainerID: cs.ContainerID,
			}}
		}
		out = append(out, cs)
	}
	return out
}

// setConditions sets the kubelet's pod conditions; ready says whether containers are ready.
func setConditions(status *corev1.PodStatus, t metav1.Time, ready corev1.ConditionStatus, reason string) {
	want := []corev1.PodCondition{
		{Type: corev1.PodReadyToStartContainers, Status: corev1.ConditionTrue},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue},
		{Type: corev1.ContainersReady, Status: ready, Reason: reason},
		{Type: corev1.PodReady, Status: ready, Reason: reason},
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue},
	}
	if reason == "PodCompleted" || reason == "PodFailed" {
		want[0].Status = corev1.ConditionFalse
	}
	for _, c := range want {
		c.LastTransitionTime = t
		found := false
		for i := range status.Conditions {
			if status.Conditions[i].Type != c.Type {
				continue
			}
			found = true
			if status.Conditions[i].Status != c.Status {
				status.Conditions[i] = c
			}
		}
		if !found {
			status.Conditions = append(status.Conditions, c)
		}
	}
}

func lastStart(pod *corev1.Pod) time.Time {
	for _, cs := range pod.Status.ContainerStatuses {
		if cs.State.Running != nil {
			return cs.State.Running.StartedAt.Time
		}
	}
	return pod.Status.StartTime.Time
}

func startedAt(cs *corev1.ContainerStatus) metav1.Time {
	if cs.State.Running != nil {
		return cs.State.Running.StartedAt
	}
	return metav1.Time{}
}

func containerSpec(pod *corev1.Pod, name string) corev1.Container {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return c
		}
	}
	return corev1.Container{Name: name}
}

func hash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func ptrTo[T any](v T) *T { return &v }
