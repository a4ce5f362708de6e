package scheduler

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/internal/queue"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

// scheduleResult is the outcome of the scheduling algorithm.
type scheduleResult struct {
	SuggestedHost  string
	EvaluatedNodes int
	FeasibleNodes  int
	nominatingInfo *fwk.NominatingInfo
}

var clearNominatedNode = &fwk.NominatingInfo{NominatingMode: fwk.ModeOverride, NominatedNodeName: ""}

// scheduleOne runs the scheduling cycle for p and starts its binding cycle.
func (s *Scheduler) scheduleOne(ctx context.Context, p *queue.QueuedPodInfo) {
	pod := p.Pod
	logger := klog.LoggerWithValues(klog.FromContext(ctx), "pod", klog.KObj(pod))
	ctx = klog.NewContext(ctx, logger)
	fw, ok := s.profiles[pod.Spec.SchedulerName]
	if !ok {
		logger.Error(nil, "Profile not found for scheduler name", "schedulerName", pod.Spec.SchedulerName)
		s.queue.Done(pod.UID)
		return
	}
	if s.skipPodSchedule(ctx, fw, pod) {
		s.queue.Done(pod.UID)
		return
	}
	logger.V(3).Info("Attempting to schedule pod")
	start := s.clock.Now()
	state := cyclestate.New()
	toActivate := runtime.NewPodsToActivate()
	state.Write(runtime.PodsToActivateKey, toActivate)

	cycleCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	result, assumed, status := s.schedulingCycle(cycleCtx, state, fw, p, start, toActivate)
	if !status.IsSuccess() {
		s.handleSchedulingFailure(cycleCtx, fw, assumed, status, result.nominatingInfo, start)
		return
	}
	s.bindings.Go(func() {
		bindCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		if st := s.bindingCycle(bindCtx, state, fw, result, assumed, start, toActivate); !st.IsSuccess() {
			s.handleBindingCycleError(bindCtx, state, fw, assumed, start, result, st)
		}
	})
}

// skipPodSchedule skips pods being deleted and pods already assumed.
func (s *Scheduler) skipPodSchedule(ctx context.Context, fw *runtime.Framework, pod *corev1.Pod) bool {
	logger := klog.FromContext(ctx)
	if pod.DeletionTimestamp != nil {
		fw.EventRecorder().Eventf(pod, nil, corev1.EventTypeWarning, "FailedScheduling", "Scheduling", "skip schedule deleting pod: %v/%v", pod.Namespace, pod.Name)
		logger.V(3).Info("Skip schedule deleting pod")
		return true
	}
	if s.cache.IsAssumedPod(pod) {
		logger.V(3).Info("Skip schedule assumed pod")
		return true
	}
	return false
}

// schedulingCycle snapshots the cache, finds a node, assumes the pod there and runs Reserve
// and Permit.
func (s *Scheduler) schedulingCycle(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, p *queue.QueuedPodInfo,
	start time.Time, toActivate *runtime.PodsToActivate) (scheduleResult, *queue.QueuedPodInfo, *fwk.Status) {
	if err := s.cache.UpdateSnapshot(s.snapshot); err != nil {
		return scheduleResult{nominatingInfo: clearNominatedNode}, p, fwk.AsStatus(err)
	}
	result, status := s.schedulingAlgorithm(ctx, state, fw, p, start)
	if !status.IsSuccess() {
		return result, p, status
	}
	assumed, status := s.assumeAndReserve(ctx, state, fw, p, result.SuggestedHost)
	if !status.IsSuccess() {
		return scheduleResult{nominatingInfo: clearNominatedNode}, assumed, status
	}
	if st := fw.RunPermitPlugins(ctx, state, assumed.Pod, result.SuggestedHost); !st.IsWait() && !st.IsSuccess() {
		s.unreserveAndForget(ctx, state, fw, assumed, result.SuggestedHost)
		if st.IsRejected() {
			return scheduleResult{nominatingInfo: clearNominatedNode}, assumed, fwk.NewStatus(st.Code()).WithError(singleNodeFitError(p.Pod, result.SuggestedHost, st))
		}
		return scheduleResult{nominatingInfo: clearNominatedNode}, assumed, st
	}
	s.activate(klog.FromContext(ctx), toActivate)
	return result, assumed, nil
}

func (s *Scheduler) activate(logger klog.Logger, toActivate *runtime.PodsToActivate) {
	toActivate.Lock()
	defer toActivate.Unlock()
	if len(toActivate.Map) > 0 {
		s.queue.Activate(logger, toActivate.Map)
		toActivate.Map = map[string]*corev1.Pod{}
	}
}

// schedulingAlgorithm finds a node and, when none fits, runs PostFilter (preemption).
func (s *Scheduler) schedulingAlgorithm(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, p *queue.QueuedPodInfo, start time.Time) (scheduleResult, *fwk.Status) {
	defer func() { s.metrics.algorithmDuration.Observe(s.clock.Since(start).Seconds()) }()
	logger := klog.FromContext(ctx)
	result, err := s.schedulePod(ctx, fw, state, p.Pod)
	if err == nil {
		return result, nil
	}
	if errors.Is(err, ErrNoNodesAvailable) {
		return scheduleResult{nominatingInfo: clearNominatedNode}, fwk.NewStatus(fwk.UnschedulableAndUnresolvable).WithError(err)
	}
	var fitErr *FitError
	if !errors.As(err, &fitErr) {
		logger.Error(err, "Error selecting node for pod")
		return scheduleResult{nominatingInfo: clearNominatedNode}, fwk.AsStatus(err)
	}
	if !fw.HasPostFilterPlugins() {
		logger.V(3).Info("No PostFilter plugins are registered, so no preemption will be performed")
		return scheduleResult{nominatingInfo: clearNominatedNode}, fwk.NewStatus(fwk.Unschedulable).WithError(err)
	}
	pfResult, status := fw.RunPostFilterPlugins(ctx, state, p.Pod, fitErr.Diagnosis.NodeToStatus)
	fitErr.Diagnosis.PostFilterMsg = status.Message()
	if status.Code() == fwk.Error {
		logger.Error(nil, "Status after running PostFilter plugins for pod", "status", status.Message())
	} else {
		logger.V(5).Info("Status after running PostFilter plugins for pod", "status", status.Message())
	}
	var ni *fwk.NominatingInfo
	if pfResult != nil {
		ni = pfResult.NominatingInfo
	}
	return scheduleResult{nominatingInfo: ni}, fwk.NewStatus(fwk.Unschedulable).WithError(err)
}

// assumeAndReserve assumes a copy of the pod on host in the cache and runs Reserve.
func (s *Scheduler) assumeAndReserve(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, p *queue.QueuedPodInfo, host string) (*queue.QueuedPodInfo, *fwk.Status) {
	logger := klog.FromContext(ctx)
	assumed := *p
	pi := *p.PodInfo
	pi.Pod = p.Pod.DeepCopy()
	pi.Pod.Spec.NodeName = host
	assumed.PodInfo = &pi
	if err := s.cache.AssumePod(logger, pi.Pod); err != nil {
		logger.Error(err, "Scheduler cache AssumePod failed")
		return &assumed, fwk.AsStatus(err)
	}
	s.queue.DeleteNominatedPodIfExists(pi.Pod)
	if st := fw.RunReservePluginsReserve(ctx, state, pi.Pod, host); !st.IsSuccess() {
		s.unreserveAndForget(ctx, state, fw, &assumed, host)
		if st.IsRejected() {
			return &assumed, fwk.NewStatus(st.Code()).WithError(singleNodeFitError(p.Pod, host, st))
		}
		return &assumed, st
	}
	return &assumed, nil
}

func (s *Scheduler) unreserveAndForget(ctx context.Context, state *cyclestate.CycleState, fw *runtime.Framework, assumed *queue.QueuedPodInfo, host string) {
	logger := klog.FromContext(ctx)
	fw.RunReservePluginsUnreserve(ctx, state, assumed.Pod, host)
	if err := s.cache.ForgetPod(logger, assumed.Pod); err != nil {
		logger.Error(err, "ForgetPod failed")
	}
}
