package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// RunReservePluginsReserve runs Reserve plugins until one fails; the caller then runs
// Unreserve.
func (f *Framework) RunReservePluginsReserve(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	for _, pl := range f.reserve {
		s := pl.Reserve(ctx, state, pod, nodeName)
		if s.IsSuccess() {
			continue
		}
		if s.IsRejected() {
			s.SetPlugin(pl.Name())
			return s
		}
		err := s.AsError()
		klog.FromContext(ctx).Error(err, "Plugin failed", "plugin", pl.Name(), "pod", klog.KObj(pod))
		return fwk.AsStatus(fmt.Errorf("running Reserve plugin %q: %w", pl.Name(), err))
	}
	return nil
}

// RunReservePluginsUnreserve runs Unreserve in reverse order.
func (f *Framework) RunReservePluginsUnreserve(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) {
	for i := len(f.reserve) - 1; i >= 0; i-- {
		f.reserve[i].Unreserve(ctx, state, pod, nodeName)
	}
}

// RunPermitPlugins runs Permit plugins. A rejection or error stops; if some plugin asked to
// wait, the pod is added to the waiting pods and Wait is returned (WaitOnPermit then blocks).
func (f *Framework) RunPermitPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	waits := map[string]time.Duration{}
	var waitStatus *fwk.Status
	for _, pl := range f.permit {
		s, timeout := pl.Permit(ctx, state, pod, nodeName)
		if s.IsSuccess() {
			continue
		}
		if s.IsRejected() {
			return s.WithPlugin(pl.Name())
		}
		if s.IsWait() {
			waits[pl.Name()] = min(timeout, maxPermitTimeout)
			waitStatus = s
			continue
		}
		err := s.AsError()
		klog.FromContext(ctx).Error(err, "Plugin failed", "plugin", pl.Name(), "pod", klog.KObj(pod))
		return fwk.AsStatus(fmt.Errorf("running Permit plugin %q: %w", pl.Name(), err)).WithPlugin(pl.Name())
	}
	if waitStatus.IsWait() {
		waitStatus.AppendReason("one or more plugins asked to wait and no plugin rejected pod")
		f.waitingPods.add(newWaitingPod(pod, waits))
		return waitStatus
	}
	return nil
}

// WillWaitOnPermit reports whether the pod is waiting at Permit.
func (f *Framework) WillWaitOnPermit(_ context.Context, pod *corev1.Pod) bool {
	return f.waitingPods.get(pod.UID) != nil
}

// WaitOnPermit blocks until a waiting pod is allowed, rejected or times out (or ctx ends).
func (f *Framework) WaitOnPermit(ctx context.Context, pod *corev1.Pod) *fwk.Status {
	wp := f.waitingPods.get(pod.UID)
	if wp == nil {
		return nil
	}
	defer f.waitingPods.remove(pod.UID)
	var s *fwk.Status
	select {
	case s = <-wp.s:
	case <-ctx.Done():
		wp.Preempt("", "scheduler is shutting down")
		s = <-wp.s
	}
	if s.IsSuccess() {
		return nil
	}
	if s.IsRejected() {
		return s
	}
	return fwk.AsStatus(fmt.Errorf("waiting on permit for pod: %w", s.AsError())).WithPlugin(s.Plugin())
}

// RunPreBindPreFlights asks each PreBind plugin whether it has work: Success if any has,
// Skip if none, Error on error. It records skipped and parallel-safe plugins in state.
func (f *Framework) RunPreBindPreFlights(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	skip, parallel := sets.New[string](), sets.New[string]()
	ret := fwk.NewStatus(fwk.Skip)
	for _, pl := range f.preBind {
		r, s := pl.PreBindPreFlight(ctx, state, pod, nodeName)
		if r != nil && r.AllowParallel {
			parallel.Insert(pl.Name())
		}
		switch {
		case s.Code() == fwk.Error:
			return fwk.AsStatus(fmt.Errorf("running PreBindPreFlight %q: %w", pl.Name(), s.AsError()))
		case s.IsSuccess():
			ret = nil
		case s.IsSkip():
			skip.Insert(pl.Name())
		default:
			return fwk.AsStatus(fmt.Errorf("PreBindPreFlight %s returned %q, which is unsupported. It is supposed to return Success, Skip, or Error status", pl.Name(), s.Code()))
		}
	}
	state.SetSkipPreBindPlugins(skip)
	state.SetParallelPreBindPlugins(parallel)
	return ret
}

// RunPreBindPlugins runs the non-skipped PreBind plugins; consecutive parallel-safe ones run
// together. The first failure is returned (rejections keep their code).
func (f *Framework) RunPreBindPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errors.New("RunPreBindPlugins has completed"))
	run := func(pl fwk.PreBindPlugin) *fwk.Status {
		s := pl.PreBind(ctx, state, pod, nodeName)
		if s.IsSuccess() {
			return nil
		}
		if s.IsRejected() {
			s.SetPlugin(pl.Name())
			return s
		}
		err := s.AsError()
		if errors.Is(err, context.Canceled) {
			err = context.Cause(ctx)
		}
		klog.FromContext(ctx).Error(err, "Plugin failed", "plugin", pl.Name(), "pod", klog.KObj(pod), "node", nodeName)
		return fwk.AsStatus(fmt.Errorf("running PreBind plugin %q: %w", pl.Name(), err))
	}
	for _, group := range f.preBindGroups(state.GetSkipPreBindPlugins(), state.GetParallelPreBindPlugins()) {
		if len(group) == 1 {
			if s := run(group[0]); s != nil {
				return s
			}
			continue
		}
		ch := newResultChannel[*fwk.Status]()
		f.parallelizer.Until(ctx, len(group), func(i int) {
			if s := run(group[i]); s != nil {
				ch.sendWithCancel(s, func() { cancel(errors.New("some other PreBind operation failed")) })
			}
		}, "PreBind")
		if s := ch.receive(); s != nil {
			return s
		}
	}
	return nil
}

func (f *Framework) preBindGroups(skip, parallel sets.Set[string]) [][]fwk.PreBindPlugin {
	var groups [][]fwk.PreBindPlugin
	var group []fwk.PreBindPlugin
	for _, pl := range f.preBind {
		if parallel.Has(pl.Name()) {
			if !skip.Has(pl.Name()) {
				group = append(group, pl)
			}
			continue
		}
		if len(group) > 0 {
			groups = append(groups, group)
			group = nil
		}
		if !skip.Has(pl.Name()) {
			groups = append(groups, []fwk.PreBindPlugin{pl})
		}
	}
	if len(group) > 0 {
		groups = append(groups, group)
	}
	return groups
}

// RunBindPlugins runs Bind plugins until one does not Skip.
func (f *Framework) RunBindPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	if len(f.bind) == 0 {
		return fwk.NewStatus(fwk.Skip, "")
	}
	var s *fwk.Status
	for _, pl := range f.bind {
		s = pl.Bind(ctx, state, pod, nodeName)
		if s.IsSkip() {
			continue
		}
		if !s.IsSuccess() {
			if s.IsRejected() {
				s.SetPlugin(pl.Name())
				return s
			}
			err := s.AsError()
			klog.FromContext(ctx).Error(err, "Plugin Failed", "plugin", pl.Name(), "pod", klog.KObj(pod), "node", nodeName)
			return fwk.AsStatus(fmt.Errorf("running Bind plugin %q: %w", pl.Name(), err))
		}
		return s
	}
	return s
}

// RunPostBindPlugins runs PostBind plugins.
func (f *Framework) RunPostBindPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeName string) {
	for _, pl := range f.postBind {
		pl.PostBind(ctx, state, pod, nodeName)
	}
}
