package kubelet

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// syncPod brings the runtime in line with the pod and reports its status. done means the pod is
// gone from the API and from the node: the worker may end.
func (k *Kubelet) syncPod(ctx context.Context, w *podWorker) (bool, error) {
	last := w.lastPod()
	pod, err := k.pods.Pods(last.Namespace).Get(last.Name)
	if apierrors.IsNotFound(err) || (err == nil && pod.UID != w.uid) {
		return k.syncGone(ctx, w, last)
	}
	if err != nil {
		return false, err
	}
	rt, err := k.readRuntime(ctx, pod.UID, &w.cache, false)
	if err != nil {
		return false, err
	}
	switch {
	case pod.DeletionTimestamp != nil:
		return false, k.syncTerminating(ctx, w, pod, rt)
	case isTerminal(pod.Status.Phase):
		return false, k.syncFinished(ctx, w, pod, rt)
	}
	return false, k.syncRunning(ctx, w, pod, rt)
}

// syncRunning runs the pod: volumes, sandbox, init containers in order, then the containers,
// restarting those that exited per the restart policy with back-off, and posts the status.
func (k *Kubelet) syncRunning(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime) error {
	if k.o.Probes != nil {
		k.o.Probes.AddPod(pod)
	}
	if k.pastActiveDeadline(pod, w) {
		return k.failPod(ctx, w, pod, rt, "DeadlineExceeded", "Pod was active on the node longer than the specified deadline")
	}
	if finished := k.generateStatus(pod, rt, w, false); isTerminal(finished.Phase) || regularContainersDone(pod, rt) {
		// Everything that will ever run has run: stop what is left and report the outcome.
		if err := k.stopPod(ctx, w, pod, rt, gracePeriodOf(pod)); err != nil {
			return err
		}
		rt, err := k.readRuntime(ctx, pod.UID, &w.cache, true)
		if err != nil {
			return err
		}
		return k.postStatus(ctx, w, pod, k.generateStatus(pod, rt, w, true))
	}
	var errs []error
	if err := k.setUpVolumes(ctx, pod); err != nil {
		errs = append(errs, err)
	} else {
		changed, err := k.runContainers(ctx, w, pod, rt)
		errs = append(errs, err)
		if changed {
			if rt2, err := k.readRuntime(ctx, pod.UID, &w.cache, true); err == nil {
				rt = rt2
			}
		}
	}
	errs = append(errs, k.postStatus(ctx, w, pod, k.generateStatus(pod, rt, w, false)))
	k.removeDeadContainers(ctx, rt)
	return errors.Join(errs...)
}

// removeDeadContainers removes exited containers older than each container's newest two
// instances (the current one and the one its lastState shows), as upstream's container GC keeps
// one dead container per container.
func (k *Kubelet) removeDeadContainers(ctx context.Context, rt *podRuntime) {
	seen := map[string]int{}
	for _, c := range rt.containers {
		seen[c.name]++
		if seen[c.name] <= 2 || !c.exited() {
			continue
		}
		if err := k.runtime.RemoveContainer(ctx, c.id); err != nil && !isNotFound(err) {
			klog.FromContext(ctx).V(2).Info("Removing a dead container", "containerID", c.id, "err", err)
		}
	}
}

// pastActiveDeadline reports whether the pod has run longer than its activeDeadlineSeconds.
func (k *Kubelet) pastActiveDeadline(pod *corev1.Pod, w *podWorker) bool {
	if pod.Spec.ActiveDeadlineSeconds == nil {
		return false
	}
	start := pod.Status.StartTime
	if start == nil {
		start = w.startTime
	}
	return start != nil && k.clock.Since(start.Time) >= time.Duration(*pod.Spec.ActiveDeadlineSeconds)*time.Second
}

// failPod stops the pod and reports it Failed with reason and message, as upstream's kubelet
// does when it evicts a pod (active deadline).
func (k *Kubelet) failPod(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime, reason, message string) error {
	k.repeatedEvent(podRef(pod), corev1.EventTypeNormal, reason, message)
	if err := k.stopPod(ctx, w, pod, rt, gracePeriodOf(pod)); err != nil {
		return err
	}
	rt, err := k.readRuntime(ctx, pod.UID, &w.cache, true)
	if err != nil {
		return err
	}
	s := k.generateStatus(pod, rt, w, true)
	s.Phase, s.Reason, s.Message = corev1.PodFailed, reason, message
	s.Conditions = podConditions(pod, &pod.Status, &s, sandboxNotReady(pod, rt), k.clock.Now())
	return k.postStatus(ctx, w, pod, s)
}

// regularContainersDone reports whether a pod with sidecars has nothing more to run: every
// regular container exited and will not restart. Its sidecars are then stopped, as upstream.
func regularContainersDone(pod *corev1.Pod, rt *podRuntime) bool {
	hasSidecar := false
	for i := range pod.Spec.InitContainers {
		hasSidecar = hasSidecar || isRestartable(&pod.Spec.InitContainers[i])
	}
	if !hasSidecar {
		return false
	}
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		cur, _ := rt.latest(c.Name)
		if cur == nil || !cur.exited() || shouldRestart(pod, c, cur.status.GetExitCode()) {
			return false
		}
	}
	return true
}

// setUpVolumes makes the pod's volumes exist; without a VolumeManager only volume-less pods run.
func (k *Kubelet) setUpVolumes(ctx context.Context, pod *corev1.Pod) error {
	key := "volumes/" + string(pod.UID)
	if k.backoff.retryLater(key) {
		return &waitingError{container: "POD", reason: "FailedMount", err: errors.New("backing off setting up volumes")}
	}
	var err error
	switch {
	case k.o.Volumes != nil:
		err = k.o.Volumes.SetUp(ctx, pod)
	case len(pod.Spec.Volumes) > 0:
		err = errors.New("volumes are not supported: this node has no volume manager")
	}
	if err != nil {
		k.backoff.failed(key)
		k.recorder.Eventf(pod, corev1.EventTypeWarning, "FailedMount", "Unable to attach or mount volumes: %v", err)
		return fmt.Errorf("setting up volumes: %w", err)
	}
	k.backoff.succeeded(key)
	return nil
}

// runContainers makes sure the pod has a ready sandbox and starts or restarts what must run. It
// reports whether it changed anything in the runtime.
func (k *Kubelet) runContainers(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime) (bool, error) {
	created := false
	if !rt.sandboxReady() {
		key := "sandbox/" + string(pod.UID)
		if k.backoff.retryLater(key) {
			return false, &waitingError{container: "POD", reason: "SandboxBackOff", err: errors.New("backing off creating the pod sandbox")}
		}
		created = true
		if err := k.createSandbox(ctx, pod, rt); err != nil {
			k.backoff.failed(key)
			return true, err
		}
		k.backoff.succeeded(key)
		var err error
		if rt, err = k.readRuntime(ctx, pod.UID, &w.cache, true); err != nil {
			return true, err
		}
		if !rt.sandboxReady() {
			return true, errors.New("the new pod sandbox is not ready")
		}
	}
	cfg, _, err := k.sandboxConfig(pod, rt.sandboxes[0].GetMetadata().GetAttempt())
	if err != nil {
		return created, err
	}
	pc := &podContext{pod: pod, w: w, rt: rt, sandboxID: rt.sandbox.Id, sandbox: cfg, podIPs: rt.podIPs(), changed: created}
	k.killUnhealthy(ctx, pc)
	if !k.runInitContainers(ctx, pc) {
		return pc.changed, nil
	}
	var errs []error
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		cur := pc.current(c.Name)
		switch {
		case cur == nil:
			errs = append(errs, k.startContainer(ctx, pc, c, ""))
		case cur.running():
			if cur.status.GetAnnotations()[cri.AnnotationContainerHash] != containerHash(c) {
				// Restarted whatever the restart policy, as upstream.
				k.killContainer(ctx, pod, c, cur.id, fmt.Sprintf("Container %s definition changed, will be restarted", c.Name), gracePeriodOf(pod))
				errs = append(errs, k.startContainer(ctx, pc, c, ""))
			}
		case cur.exited():
			if shouldRestart(pod, c, cur.status.GetExitCode()) {
				errs = append(errs, k.restart(ctx, pc, c, cur, ""))
			}
		}
	}
	return pc.changed, errors.Join(errs...)
}

// current is the newest instance of container name in the pod's current sandbox.
func (pc *podContext) current(name string) *runtimeContainer {
	for _, c := range pc.rt.containers {
		if c.name == name && c.sandboxID == pc.sandboxID {
			return c
		}
	}
	return nil
}

// initialized reports whether a regular container has been created in the current sandbox.
func (pc *podContext) initialized() bool {
	for _, c := range pc.pod.Spec.Containers {
		if pc.current(c.Name) != nil {
			return true
		}
	}
	return len(pc.pod.Spec.InitContainers) == 0
}

// runInitContainers advances the init containers in order and reports whether all are done
// (regular ones exited 0, sidecars running and started). Once initialized, only sidecars that
// stopped are restarted.
func (k *Kubelet) runInitContainers(ctx context.Context, pc *podContext) bool {
	pod := pc.pod
	initialized := pc.initialized()
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		cur := pc.current(c.Name)
		if isRestartable(c) {
			switch {
			case cur != nil && cur.running():
				if !initialized && !k.started(pc, c) {
					return false
				}
				continue
			case cur == nil:
				logErr(ctx, k.startContainer(ctx, pc, c, cri.ContainerTypeInit))
			default:
				logErr(ctx, k.restart(ctx, pc, c, cur, cri.ContainerTypeInit))
			}
			if !initialized {
				return false
			}
			continue
		}
		if initialized {
			continue
		}
		switch {
		case cur == nil:
			logErr(ctx, k.startContainer(ctx, pc, c, cri.ContainerTypeInit))
			return false
		case cur.running():
			return false
		case cur.exited() && cur.status.GetExitCode() == 0:
			continue
		case cur.exited() && shouldRestart(pod, c, cur.status.GetExitCode()):
			logErr(ctx, k.restart(ctx, pc, c, cur, cri.ContainerTypeInit))
			return false
		default:
			return false // failed for good: the pod fails
		}
	}
	return true
}

func logErr(ctx context.Context, err error) {
	if err != nil {
		klog.FromContext(ctx).V(2).Info("Container not started", "err", err)
	}
}

// restart starts c again unless its crash-loop back-off holds it, in which case it records
// CrashLoopBackOff and upstream's BackOff event.
func (k *Kubelet) restart(ctx context.Context, pc *podContext, c *corev1.Container, cur *runtimeContainer, typ string) error {
	finished := time.Unix(0, cur.status.GetFinishedAt())
	if wait, msg := k.backoff.crashLoop(pc.pod, c, finished); wait {
		if prev, ok := pc.w.waiting[c.Name]; !ok || prev.message != msg {
			k.recorder.Eventf(containerRef(pc.pod, c), corev1.EventTypeWarning, "BackOff",
				"Back-off restarting failed container %s in pod %s", c.Name, podDesc(pc.pod))
		}
		pc.w.waiting[c.Name] = waitingReason{reasonCrashLoopBackOff, msg}
		return nil
	}
	return k.startContainer(ctx, pc, c, typ)
}

// started reports whether a running sidecar counts as started (its startup probe passed), from
// the pod's status as the ProbeManager sees it.
func (k *Kubelet) started(pc *podContext, c *corev1.Container) bool {
	if pc.status == nil {
		st := k.generateStatus(pc.pod, pc.rt, pc.w, false)
		pc.status = &st
	}
	cs := findStatus(pc.status.InitContainerStatuses, c.Name)
	return cs != nil && cs.State.Running != nil && cs.Started != nil && *cs.Started
}

// shouldRestart applies the container's restart policy and rules, else the pod's, to an exit.
func shouldRestart(pod *corev1.Pod, c *corev1.Container, exitCode int32) bool {
	if isRestartable(c) {
		return true
	}
	if c.RestartPolicy != nil {
		for _, r := range c.RestartPolicyRules {
			if r.ExitCodes != nil && exitCodeMatches(r.ExitCodes, exitCode) {
				return r.Action == corev1.ContainerRestartRuleActionRestart
			}
		}
		switch *c.RestartPolicy {
		case corev1.ContainerRestartPolicyOnFailure:
			return exitCode != 0
		case corev1.ContainerRestartPolicyNever:
			return false
		}
		return true
	}
	switch pod.Spec.RestartPolicy {
	case corev1.RestartPolicyNever:
		return false
	case corev1.RestartPolicyOnFailure:
		return exitCode != 0
	}
	return true
}

func exitCodeMatches(r *corev1.ContainerRestartRuleOnExitCodes, code int32) bool {
	in := false
	for _, v := range r.Values {
		if v == code {
			in = true
		}
	}
	if r.Operator == corev1.ContainerRestartRuleOnExitCodesOpNotIn {
		return !in
	}
	return in
}
