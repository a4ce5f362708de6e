package scheduler

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/internal/queue"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// bindingCycle waits on Permit, runs PreBind, Bind and PostBind for an assumed pod.
func (s *Scheduler) bindingCycle(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, result scheduleResult,
	assumed *queue.QueuedPodInfo, start time.Time, toActivate *runtime.PodsToActivate) *fwk.Status {
	logger := klog.FromContext(ctx)
	pod, host := assumed.Pod, result.SuggestedHost

	preFlight := fw.RunPreBindPreFlights(ctx, state, pod, host)
	if preFlight.Code() == fwk.Error || preFlight.IsRejected() {
		return preFlight
	}
	if preFlight.IsSuccess() || fw.WillWaitOnPermit(ctx, pod) {
		// Tell other components (autoscalers) where the pod is about to go, as upstream.
		if err := updatePod(ctx, s.client, pod, nil, &fwk.NominatingInfo{NominatedNodeName: host, NominatingMode: fwk.ModeOverride}); err != nil {
			logger.Error(err, "Failed to update the nominated node name in the binding cycle", "nominatedNodeName", host)
		}
	}
	if st := fw.WaitOnPermit(ctx, pod); !st.IsSuccess() {
		if st.IsRejected() {
			fe := singleNodeFitError(pod, host, st)
			fe.Diagnosis.UnschedulablePlugins = sets.New(st.Plugin())
			return fwk.NewStatus(st.Code()).WithError(fe)
		}
		return st
	}
	// Failures from here on are errors (backoff), not unschedulable.
	s.queue.Done(pod.UID)

	if preFlight.IsSuccess() {
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		defer fw.RemovePodInPreBind(pod.UID)
		fw.AddPodInPreBind(pod.UID, cancel)
	}
	if st := fw.RunPreBindPlugins(ctx, state, pod, host); !st.IsSuccess() {
		return st
	}
	if b := fw.GetPodInPreBind(pod.UID); b != nil && !b.MarkPrebound() {
		return fwk.AsStatus(context.Cause(ctx))
	}
	st := fw.RunBindPlugins(ctx, state, pod, host)
	if err := s.cache.FinishBinding(logger, pod); err != nil {
		logger.Error(err, "Scheduler cache FinishBinding failed")
	}
	if !st.IsSuccess() {
		logger.V(1).Info("Failed to bind pod")
		return st
	}
	fw.EventRecorder().Eventf(pod, nil, corev1.EventTypeNormal, "Scheduled", "Binding", "Successfully assigned %v/%v to %v", pod.Namespace, pod.Name, host)
	logger.V(2).Info("Successfully bound pod to node", "node", host, "evaluatedNodes", result.EvaluatedNodes, "feasibleNodes", result.FeasibleNodes)
	s.metrics.observeAttempt("scheduled", fw.ProfileName(), s.clock.Since(start))
	if assumed.InitialAttemptTimestamp != nil {
		s.metrics.observeScheduled(assumed.Attempts, s.clock.Since(*assumed.InitialAttemptTimestamp))
	}
	fw.RunPostBindPlugins(ctx, state, pod, host)
	s.activate(logger, toActivate)
	return nil
}

// handleBindingCycleError undoes the assumption and treats the pod as failed; the freed
// space is announced as an assigned pod deletion.
func (s *Scheduler) handleBindingCycleError(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, assumed *queue.QueuedPodInfo,
	start time.Time, result scheduleResult, st *fwk.Status) {
	logger := klog.FromContext(ctx)
	s.unreserveAndForget(ctx, state, fw, assumed, result.SuggestedHost)
	s.queue.MoveAllToActiveOrBackoffQueue(logger, queue.EventAssignedPodDelete, assumed.Pod, nil)
	s.handleSchedulingFailure(ctx, fw, assumed, st, clearNominatedNode, start)
}
