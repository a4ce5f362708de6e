package kubelet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// syncTerminating stops a pod being deleted (preStop hooks, then containers within the grace
// period, then the sandbox), reports its final status, removes it from the node and confirms the
// deletion to the API.
func (k *Kubelet) syncTerminating(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime) error {
	if w.terminated {
		return nil // waiting for finalizers
	}
	if err := k.stopPod(ctx, w, pod, rt, gracePeriodOf(pod)); err != nil {
		return err
	}
	rt, err := k.readRuntime(ctx, pod.UID, &w.cache, true)
	if err != nil {
		return err
	}
	if err := k.postStatus(ctx, w, pod, k.generateStatus(pod, rt, w, true)); err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	if err := k.removePod(ctx, pod.UID, rt); err != nil {
		return err
	}
	if err := k.removePodFiles(ctx, pod); err != nil {
		return err
	}
	// Upstream's status manager: delete for good, only this very pod.
	err = k.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: ptr.To[int64](0), Preconditions: metav1.NewUIDPreconditions(string(pod.UID)),
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("confirming the pod's deletion: %w", err)
	}
	w.terminated = true
	klog.FromContext(ctx).V(2).Info("Pod fully terminated and removed from etcd")
	return nil
}

// syncFinished keeps a pod the API reports Succeeded or Failed stopped.
func (k *Kubelet) syncFinished(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime) error {
	return k.stopPod(ctx, w, pod, rt, gracePeriodOf(pod))
}

// syncGone cleans up after a pod the API no longer has (force-deleted or confirmed deleted).
func (k *Kubelet) syncGone(ctx context.Context, w *podWorker, last *corev1.Pod) (bool, error) {
	rt, err := k.readRuntime(ctx, w.uid, &w.cache, true)
	if err != nil {
		return false, err
	}
	if err := k.stopPod(ctx, w, last, rt, gracePeriodOf(last)); err != nil {
		return false, err
	}
	if err := k.removePod(ctx, w.uid, rt); err != nil {
		return false, err
	}
	k.backoff.forgetPod(last)
	k.mu.Lock()
	for key := range k.pullErrors {
		if strings.HasPrefix(key, string(w.uid)+"_") {
			delete(k.pullErrors, key)
		}
	}
	k.mu.Unlock()
	return true, k.removePodFiles(ctx, last)
}

// stopPod stops every running container — regular containers together, then sidecars in
// reverse order — running preStop hooks within the grace period, then stops the sandboxes.
func (k *Kubelet) stopPod(ctx context.Context, w *podWorker, pod *corev1.Pod, rt *podRuntime, grace int64) error {
	if k.o.Probes != nil {
		k.o.Probes.RemovePod(pod)
	}
	deadline := k.clock.Now().Add(time.Duration(grace) * time.Second)
	var regular, sidecars []*runtimeContainer
	for _, c := range rt.containers {
		if !c.running() {
			continue
		}
		if spec := specOf(pod, c.name); spec != nil && isRestartable(spec) {
			sidecars = append([]*runtimeContainer{c}, sidecars...)
		} else {
			regular = append(regular, c)
		}
	}
	k.stopContainers(ctx, pod, regular, deadline)
	for _, c := range sidecars {
		k.stopContainers(ctx, pod, []*runtimeContainer{c}, deadline)
	}
	var errs []error
	for _, s := range rt.sandboxes {
		if s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
			if err := k.runtime.StopPodSandbox(ctx, s.Id); err != nil {
				errs = append(errs, fmt.Errorf("stopping sandbox %s: %w", s.Id, err))
			}
		}
	}
	return errors.Join(errs...)
}

// stopContainers stops containers in parallel, each with its preStop hook, by deadline.
func (k *Kubelet) stopContainers(ctx context.Context, pod *corev1.Pod, list []*runtimeContainer, deadline time.Time) {
	var wg sync.WaitGroup
	for _, rc := range list {
		wg.Go(func() {
			spec := specOf(pod, rc.name)
			if spec == nil {
				spec = &corev1.Container{Name: rc.name}
			}
			k.recorder.Event(containerRef(pod, spec), corev1.EventTypeNormal, "Killing", fmt.Sprintf("Stopping container %s", rc.name))
			if spec.Lifecycle != nil && spec.Lifecycle.PreStop != nil && deadline.Sub(k.clock.Now()) > 0 {
				hctx, cancel := context.WithDeadline(ctx, deadline)
				if msg, err := k.runHook(hctx, pod, spec, rc.id, spec.Lifecycle.PreStop); err != nil {
					klog.FromContext(ctx).V(1).Info("PreStop hook failed", "container", rc.name, "message", msg, "err", err)
					k.recorder.Event(containerRef(pod, spec), corev1.EventTypeWarning, "FailedPreStopHook", "PreStopHook failed")
				}
				cancel()
			}
			left := int64(deadline.Sub(k.clock.Now()).Round(time.Second) / time.Second)
			if err := k.runtime.StopContainer(ctx, rc.id, max(left, minGracePeriod)); err != nil {
				klog.FromContext(ctx).Error(err, "Stopping container", "container", rc.name, "containerID", rc.id)
			}
		})
	}
	wg.Wait()
}

// specOf finds container name in the pod's spec (init containers included).
func specOf(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

// removePod removes the pod's sandboxes (and with them its containers) from the runtime.
func (k *Kubelet) removePod(ctx context.Context, uid types.UID, rt *podRuntime) error {
	var errs []error
	for _, s := range rt.sandboxes {
		if err := k.runtime.StopPodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("stopping sandbox %s: %w", s.Id, err))
			continue
		}
		if err := k.runtime.RemovePodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, fmt.Errorf("removing sandbox %s: %w", s.Id, err))
		}
	}
	for _, c := range rt.containers {
		if err := k.runtime.RemoveContainer(ctx, c.id); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.id, err))
		}
	}
	return errors.Join(errs...)
}

// removePodFiles tears down the pod's volumes and removes its files and logs.
func (k *Kubelet) removePodFiles(ctx context.Context, pod *corev1.Pod) error {
	if k.o.Volumes != nil {
		if err := k.o.Volumes.TearDown(ctx, pod.UID); err != nil {
			return fmt.Errorf("tearing down volumes: %w", err)
		}
	}
	return errors.Join(os.RemoveAll(k.podDir(pod.UID)), os.RemoveAll(k.podLogDir(pod)))
}
