package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/internal/queue"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// noteLengthLimit is the events.k8s.io note limit messages are cut to.
const noteLengthLimit = 1024

// handleSchedulingFailure requeues the pod, records FailedScheduling and sets PodScheduled=False
// (reason Unschedulable, or SchedulerError for errors) with the failure message, as upstream.
func (s *Scheduler) handleSchedulingFailure(ctx context.Context, fw *runtime.Framework, p *queue.QueuedPodInfo, status *fwk.Status, ni *fwk.NominatingInfo, start time.Time) {
	logger := klog.FromContext(ctx)
	requeued := false
	defer func() {
		if !requeued {
			s.queue.Done(p.Pod.UID)
		}
	}()
	reason := corev1.PodReasonSchedulerError
	result := "error"
	if status.IsRejected() {
		reason, result = corev1.PodReasonUnschedulable, "unschedulable"
	}
	s.metrics.observeAttempt(result, fw.ProfileName(), s.clock.Since(start))

	np := *p
	p = &np
	p.UnschedulablePlugins, p.PendingPlugins = nil, nil
	if status.IsRejected() {
		p.UnschedulableCount++
		p.ConsecutiveErrorsCount = 0
	} else {
		p.ConsecutiveErrorsCount++
	}
	err := status.AsError()
	errMsg := status.Message()
	var fitErr *FitError
	switch {
	case errors.Is(err, ErrNoNodesAvailable):
		logger.V(2).Info("Unable to schedule pod; no nodes are registered to the cluster; waiting")
	case errors.As(err, &fitErr):
		p.UnschedulablePlugins = fitErr.Diagnosis.UnschedulablePlugins
		p.PendingPlugins = fitErr.Diagnosis.PendingPlugins
		logger.V(2).Info("Unable to schedule pod; no fit; waiting", "err", errMsg)
	default:
		logger.Error(err, "Error scheduling pod; retrying")
	}

	pod := p.Pod
	cached, e := s.informers.Core().V1().Pods().Lister().Pods(pod.Namespace).Get(pod.Name)
	switch {
	case e != nil:
		logger.Info("Pod doesn't exist in informer cache", "err", e)
	case cached.Spec.NodeName != "":
		logger.Info("Pod has been assigned to node. Abort adding it back to queue.", "node", cached.Spec.NodeName)
	case cached.UID != pod.UID:
		logger.V(2).Info("Pod was recreated while handling scheduling failure. Skip requeueing and status updates.", "oldUID", pod.UID, "newUID", cached.UID)
		return
	default:
		pi, _ := nodeinfo.NewPodInfo(cached.DeepCopy())
		p.PodInfo = pi
		pod = pi.Pod
		if err := s.queue.AddUnschedulableIfNotPresent(logger, p); err != nil {
			logger.Error(err, "Error occurred")
		}
		requeued = true
	}
	s.queue.AddNominatedPod(logger, p.PodInfo, ni)
	if err == nil {
		return
	}
	msg := errMsg
	if len(msg) > noteLengthLimit {
		msg = msg[:noteLengthLimit-4] + " ..."
	}
	fw.EventRecorder().Eventf(pod, nil, corev1.EventTypeWarning, "FailedScheduling", "Scheduling", msg)
	cond := &corev1.PodCondition{
		Type:               corev1.PodScheduled,
		ObservedGeneration: pod.Generation,
		Status:             corev1.ConditionFalse,
		Reason:             reason,
		Message:            errMsg,
	}
	if err := updatePod(ctx, s.client, pod, cond, ni); err != nil {
		logger.Error(err, "Error updating pod")
	}
}

// updatePod patches the pod's PodScheduled condition and nominatedNodeName if they change.
func updatePod(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, cond *corev1.PodCondition, ni *fwk.NominatingInfo) error {
	status := pod.Status.DeepCopy()
	nnnChanged := ni.Mode() == fwk.ModeOverride && pod.Status.NominatedNodeName != ni.NominatedNodeName
	condChanged := cond != nil && updatePodCondition(status, cond)
	if !nnnChanged && !condChanged {
		return nil
	}
	if nnnChanged {
		status.NominatedNodeName = ni.NominatedNodeName
	}
	return patchPodStatus(ctx, client, pod, &pod.Status, status)
}

// updatePodCondition sets cond in status (keeping the transition time when the status is
// unchanged) and reports whether anything changed.
func updatePodCondition(status *corev1.PodStatus, cond *corev1.PodCondition) bool {
	cond.LastTransitionTime = metav1.Now()
	for i := range status.Conditions {
		old := &status.Conditions[i]
		if old.Type != cond.Type {
			continue
		}
		if cond.Status == old.Status {
			cond.LastTransitionTime = old.LastTransitionTime
		}
		same := cond.Status == old.Status && cond.Reason == old.Reason && cond.Message == old.Message &&
			cond.LastProbeTime.Equal(&old.LastProbeTime) && cond.LastTransitionTime.Equal(&old.LastTransitionTime)
		status.Conditions[i] = *cond
		return !same
	}
	status.Conditions = append(status.Conditions, *cond)
	return true
}

// patchPodStatus sends a strategic merge patch of the status change, retrying conflicts and
// server timeouts.
func patchPodStatus(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, oldStatus, newStatus *corev1.PodStatus) error {
	oldData, err := json.Marshal(corev1.Pod{Status: *oldStatus})
	if err != nil {
		return err
	}
	newData, err := json.Marshal(corev1.Pod{Status: *newStatus})
	if err != nil {
		return err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(oldData, newData, &corev1.Pod{})
	if err != nil {
		return fmt.Errorf("failed to create merge patch for pod %q/%q: %w", pod.Namespace, pod.Name, err)
	}
	if string(patch) == "{}" {
		return nil
	}
	return retry.OnError(retry.DefaultBackoff, func(err error) bool {
		return apierrors.IsConflict(err) || apierrors.IsServerTimeout(err) || apierrors.IsTimeout(err) || apierrors.IsTooManyRequests(err)
	}, func() error {
		_, err := client.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
		return err
	})
}
