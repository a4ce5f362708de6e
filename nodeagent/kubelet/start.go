package kubelet

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
)

// podContext is what one sync knows about a running pod.
type podContext struct {
	pod       *corev1.Pod
	w         *podWorker
	rt        *podRuntime
	sandboxID string
	sandbox   *runtimeapi.PodSandboxConfig
	podIPs    []string
	hostsPath string
	// changed is set when the sync created, started or stopped something.
	changed bool
	// status is the pod's status before the sync acted, computed when needed.
	status *corev1.PodStatus
}

// startContainer pulls c's image and creates and starts the container, then runs its postStart
// hook. Failures are recorded as the container's waiting reason and as events.
func (k *Kubelet) startContainer(ctx context.Context, pc *podContext, c *corev1.Container, typ string) error {
	pod := pc.pod
	ref := containerRef(pod, c)
	fail := func(reason, msg string, err error) error {
		pc.w.waiting[c.Name] = waitingReason{reason, msg}
		return &waitingError{container: c.Name, reason: reason, err: err}
	}
	image, err := k.ensureImage(ctx, pod, c, ref, pc.sandbox)
	if err != nil {
		var ie *imageError
		if errors.As(err, &ie) {
			// Upstream reports the reason itself as the error of starting the container.
			k.repeatedEvent(ref, corev1.EventTypeWarning, "Failed", "Error: "+ie.reason)
			return fail(ie.reason, ie.message, err)
		}
		return fail(reasonErrImagePull, err.Error(), err)
	}
	configError := func(err error) error {
		k.repeatedEvent(ref, corev1.EventTypeWarning, "Failed", fmt.Sprintf("Error: %v", err))
		return fail(reasonCreateConfigError, err.Error(), err)
	}
	env, err := k.containerEnv(ctx, pod, c, pc.podIPs)
	if err != nil {
		return configError(err)
	}
	var mounts []*runtimeapi.Mount
	if k.o.Volumes != nil {
		if mounts, err = k.o.Volumes.Mounts(pod, c, envMap(env)); err != nil {
			return configError(err)
		}
	} else if len(c.VolumeMounts) > 0 {
		return configError(errors.New("volume mounts are not supported: this node has no volume manager"))
	}
	if pc.hostsPath == "" {
		if pc.hostsPath, err = k.writeHostsFile(pod, pc.podIPs); err != nil {
			return configError(fmt.Errorf("writing the hosts file: %w", err))
		}
	}
	if m := hostsMount(pc.hostsPath, c); m != nil {
		mounts = append(mounts, m)
	}
	if c.TerminationMessagePath != "" {
		path, err := k.terminationLogFile(pod, c)
		if err != nil {
			return configError(err)
		}
		mounts = append(mounts, &runtimeapi.Mount{ContainerPath: c.TerminationMessagePath, HostPath: path, SelinuxRelabel: true})
	}
	restartCount := 0
	if cur, _ := pc.rt.latest(c.Name); cur != nil {
		restartCount = cur.restartCount + 1
	}
	mem, _ := memTotal("/proc/meminfo")
	cfg, err := containerConfig(containerSpec{pod: pod, c: c, typ: typ, restartCount: restartCount, image: image, env: env, mounts: mounts, memCapacity: mem})
	if err != nil {
		return configError(err)
	}
	pc.changed = true
	id, err := k.runtime.CreateContainer(ctx, pc.sandboxID, cfg, pc.sandbox)
	if err != nil {
		msg := grpcMessage(err)
		k.recorder.Eventf(ref, corev1.EventTypeWarning, "Failed", "Error: %v", msg)
		return fail(reasonCreateError, msg, err)
	}
	k.recorder.Event(ref, corev1.EventTypeNormal, "Created", "Container created")
	if err := k.runtime.StartContainer(ctx, id); err != nil {
		msg := grpcMessage(err)
		k.recorder.Eventf(ref, corev1.EventTypeWarning, "Failed", "Error: %v", msg)
		return fail(reasonRunContainerError, msg, err)
	}
	k.recorder.Event(ref, corev1.EventTypeNormal, "Started", "Container started")
	delete(pc.w.waiting, c.Name)
	klog.FromContext(ctx).V(2).Info("Started container", "container", c.Name, "containerID", id, "restartCount", restartCount)

	if c.Lifecycle != nil && c.Lifecycle.PostStart != nil {
		msg, err := k.runHook(ctx, pod, c, id, c.Lifecycle.PostStart)
		if err != nil {
			// As upstream, the hook's message (it may hold secrets) goes to the status only.
			k.recorder.Event(ref, corev1.EventTypeWarning, "FailedPostStartHook", "PostStartHook failed")
			k.killContainer(ctx, pod, c, id, "FailedPostStartHook", gracePeriodOf(pod))
			return fail(reasonPostStartHookError, msg, err)
		}
	}
	return nil
}

// waitingError is a container that could not start; its status shows reason. The pod's
// worker retries on its next sync.
type waitingError struct {
	container, reason string
	err               error
}

func (e *waitingError) Error() string {
	return fmt.Sprintf("container %s waiting (%s): %v", e.container, e.reason, e.err)
}

func (e *waitingError) Unwrap() error { return e.err }

// runHook runs a lifecycle handler through the HookRunner.
func (k *Kubelet) runHook(ctx context.Context, pod *corev1.Pod, c *corev1.Container, id string, h *corev1.LifecycleHandler) (string, error) {
	if k.o.Hooks == nil {
		msg := "lifecycle hooks are not supported: this node has no hook runner"
		return msg, errors.New(msg)
	}
	return k.o.Hooks.Run(ctx, pod, c, id, h)
}

// killContainer stops a container within grace seconds (at least 2, as upstream), recording
// upstream's Killing event with message ("Stopping container X" by default).
func (k *Kubelet) killContainer(ctx context.Context, pod *corev1.Pod, c *corev1.Container, id, message string, grace int64) {
	if message == "" {
		message = fmt.Sprintf("Stopping container %s", c.Name)
	}
	k.recorder.Event(containerRef(pod, c), corev1.EventTypeNormal, "Killing", message)
	if err := k.runtime.StopContainer(ctx, id, max(grace, minGracePeriod)); err != nil {
		klog.FromContext(ctx).Error(err, "Stopping container", "container", c.Name, "containerID", id)
	}
}

// minGracePeriod is upstream's minimum time a container gets to stop.
const minGracePeriod = 2

// gracePeriodOf is the pod's deletion grace period, else its termination grace period, else 30s.
func gracePeriodOf(pod *corev1.Pod) int64 {
	if pod.DeletionGracePeriodSeconds != nil {
		return *pod.DeletionGracePeriodSeconds
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		return *pod.Spec.TerminationGracePeriodSeconds
	}
	return corev1.DefaultTerminationGracePeriodSeconds
}

func grpcMessage(err error) string {
	if s, ok := status.FromError(err); ok {
		return s.Message()
	}
	return err.Error()
}
