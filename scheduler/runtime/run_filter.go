package runtime

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

// RunPreEnqueuePlugins runs PreEnqueue plugins; the first non-success gates the pod.
func (f *Framework) RunPreEnqueuePlugins(ctx context.Context, pod *corev1.Pod) *fwk.Status {
	for _, pl := range f.preEnqueue {
		s := pl.PreEnqueue(ctx, pod)
		if s.IsSuccess() {
			continue
		}
		s.SetPlugin(pl.Name())
		if s.IsError() {
			klog.FromContext(ctx).Error(s.AsError(), "Unexpected error running PreEnqueue plugin", "pod", klog.KObj(pod), "plugin", pl.Name())
		}
		return s
	}
	return nil
}

// RunPreFilterPlugins runs PreFilter plugins over all nodes of the snapshot. Skip marks the
// plugin's Filter to be skipped; UnschedulableAndUnresolvable stops at once; Unschedulable is
// returned after the rest ran (so preemption can use their state); other failures are
// errors. Results are intersected; an empty intersection is UnschedulableAndUnresolvable.
// It also returns the plugins whose results narrowed the nodes.
func (f *Framework) RunPreFilterPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod) (*fwk.PreFilterResult, *fwk.Status, sets.Set[string]) {
	skip := sets.New[string]()
	defer f.setSkipFilterPlugins(state, skip)
	var nodes []fwk.NodeInfo
	if f.snapshot != nil {
		var err error
		if nodes, err = f.snapshot.NodeInfos().List(); err != nil {
			return nil, fwk.AsStatus(fmt.Errorf("getting all nodes: %w", err)), nil
		}
	}
	var result *fwk.PreFilterResult
	withNodes := sets.New[string]()
	var returnStatus *fwk.Status
	for _, pl := range f.preFilter {
		r, s := pl.PreFilter(ctx, state, pod, nodes)
		if s.IsSkip() {
			skip.Insert(pl.Name())
			continue
		}
		if !s.IsSuccess() {
			s.SetPlugin(pl.Name())
			switch s.Code() {
			case fwk.UnschedulableAndUnresolvable:
				return nil, s, nil
			case fwk.Unschedulable:
				returnStatus = s
				continue
			}
			return nil, fwk.AsStatus(fmt.Errorf("running PreFilter plugin %q: %w", pl.Name(), s.AsError())).WithPlugin(pl.Name()), nil
		}
		if !r.AllNodes() {
			withNodes.Insert(pl.Name())
		}
		result = result.Merge(r)
		if !result.AllNodes() && len(result.NodeNames) == 0 {
			msg := fmt.Sprintf("node(s) didn't satisfy plugin(s) %v simultaneously", sets.List(withNodes))
			if len(withNodes) == 1 {
				msg = fmt.Sprintf("node(s) didn't satisfy plugin %v", sets.List(withNodes)[0])
			}
			return result, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msg), withNodes
		}
	}
	return result, returnStatus, withNodes
}

// RunPreFilterExtensionAddPod calls AddPod of the (non-skipped) PreFilter plugins.
func (f *Framework) RunPreFilterExtensionAddPod(ctx context.Context, state fwk.CycleState, podToSchedule *corev1.Pod, podInfoToAdd fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	for _, pl := range f.preFilter {
		ext := pl.PreFilterExtensions()
		if ext == nil || state.GetSkipFilterPlugins().Has(pl.Name()) {
			continue
		}
		if s := ext.AddPod(ctx, state, podToSchedule, podInfoToAdd, nodeInfo); !s.IsSuccess() {
			err := s.AsError()
			klog.FromContext(ctx).Error(err, "Plugin failed", "pod", klog.KObj(podToSchedule), "node", klog.KObj(nodeInfo.Node()), "operation", "addPod", "plugin", pl.Name())
			return fwk.AsStatus(fmt.Errorf("running AddPod on PreFilter plugin %q: %w", pl.Name(), err))
		}
	}
	return nil
}

// RunPreFilterExtensionRemovePod calls RemovePod of the (non-skipped) PreFilter plugins.
func (f *Framework) RunPreFilterExtensionRemovePod(ctx context.Context, state fwk.CycleState, podToSchedule *corev1.Pod, podInfoToRemove fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	for _, pl := range f.preFilter {
		ext := pl.PreFilterExtensions()
		if ext == nil || state.GetSkipFilterPlugins().Has(pl.Name()) {
			continue
		}
		if s := ext.RemovePod(ctx, state, podToSchedule, podInfoToRemove, nodeInfo); !s.IsSuccess() {
			err := s.AsError()
			klog.FromContext(ctx).Error(err, "Plugin failed", "pod", klog.KObj(podToSchedule), "node", klog.KObj(nodeInfo.Node()), "operation", "removePod", "plugin", pl.Name())
			return fwk.AsStatus(fmt.Errorf("running RemovePod on PreFilter plugin %q: %w", pl.Name(), err))
		}
	}
	return nil
}

// setSkipFilterPlugins records the skipped Filter plugins and, on skiff's CycleState, the
// list of those to run, which RunFilterPlugins then uses for every node.
func (f *Framework) setSkipFilterPlugins(state fwk.CycleState, skip sets.Set[string]) {
	state.SetSkipFilterPlugins(skip)
	cs, ok := state.(*cyclestate.CycleState)
	if !ok {
		return
	}
	active := make([]fwk.FilterPlugin, 0, len(f.filter))
	for _, pl := range f.filter {
		if !skip.Has(pl.Name()) {
			active = append(active, pl)
		}
	}
	cs.SetActiveFilterPlugins(f, active)
}

// filtersToRun returns the Filter plugins not skipped this cycle.
func (f *Framework) filtersToRun(state fwk.CycleState) []fwk.FilterPlugin {
	if cs, ok := state.(*cyclestate.CycleState); ok {
		if active, ok := cs.ActiveFilterPlugins(f); ok {
			return active
		}
	}
	skip := state.GetSkipFilterPlugins()
	if skip.Len() == 0 {
		return f.filter
	}
	active := make([]fwk.FilterPlugin, 0, len(f.filter))
	for _, pl := range f.filter {
		if !skip.Has(pl.Name()) {
			active = append(active, pl)
		}
	}
	return active
}

// RunFilterPlugins runs the Filter plugins on one node and returns the first rejection (with
// the plugin set); a status other than Unschedulable* becomes an Error.
func (f *Framework) RunFilterPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	for _, pl := range f.filtersToRun(state) {
		if s := pl.Filter(ctx, state, pod, nodeInfo); !s.IsSuccess() {
			if !s.IsRejected() {
				s = fwk.AsStatus(fmt.Errorf("running %q filter plugin: %w", pl.Name(), s.AsError()))
			}
			s.SetPlugin(pl.Name())
			return s
		}
	}
	return nil
}

// RunFilterPluginsWithNominatedPods runs Filter with the pods of equal or higher priority
// nominated to the node counted as running, and, if that passes and such pods exist, again
// without them (as upstream).
func (f *Framework) RunFilterPluginsWithNominatedPods(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, info fwk.NodeInfo) *fwk.Status {
	added, stateWith, infoWith, err := f.addNominatedPods(ctx, pod, state, info)
	if err != nil {
		return fwk.AsStatus(err)
	}
	s := f.RunFilterPlugins(ctx, stateWith, pod, infoWith)
	if !s.IsSuccess() || !added {
		return s
	}
	return f.RunFilterPlugins(ctx, state, pod, info)
}

func (f *Framework) addNominatedPods(ctx context.Context, pod *corev1.Pod, state fwk.CycleState, info fwk.NodeInfo) (bool, fwk.CycleState, fwk.NodeInfo, error) {
	if f.PodNominator == nil || info.Node() == nil {
		return false, state, info, nil
	}
	nominated := f.NominatedPodsForNode(info.Node().Name)
	if len(nominated) == 0 {
		return false, state, info, nil
	}
	infoOut := info.Snapshot()
	stateOut := state.Clone()
	added := false
	for _, pi := range nominated {
		if corev1helpers.PodPriority(pi.GetPod()) >= corev1helpers.PodPriority(pod) && pi.GetPod().UID != pod.UID {
			infoOut.AddPodInfo(pi)
			if s := f.RunPreFilterExtensionAddPod(ctx, stateOut, pod, pi, infoOut); !s.IsSuccess() {
				return false, state, info, s.AsError()
			}
			added = true
		}
	}
	return added, stateOut, infoOut, nil
}

// RunPostFilterPlugins runs PostFilter plugins until one succeeds, errors or returns
// UnschedulableAndUnresolvable; otherwise all run and their reasons are joined.
func (f *Framework) RunPostFilterPlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, m fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	if state.ShouldSkipAllPostFilterPlugins() {
		return nil, fwk.NewStatus(fwk.Unschedulable, "All PostFilter plugins are skipped")
	}
	var result *fwk.PostFilterResult
	var reasons []string
	var rejector string
	for _, pl := range f.postFilter {
		r, s := pl.PostFilter(ctx, state, pod, m)
		switch {
		case s.IsSuccess():
			return r, s
		case s.Code() == fwk.UnschedulableAndUnresolvable:
			return r, s.WithPlugin(pl.Name())
		case !s.IsRejected():
			return nil, fwk.AsStatus(s.AsError()).WithPlugin(pl.Name())
		case r != nil && r.Mode() != fwk.ModeNoop:
			result = r
		}
		reasons = append(reasons, s.Reasons()...)
		if rejector == "" {
			rejector = pl.Name()
		}
	}
	return result, fwk.NewStatus(fwk.Unschedulable, reasons...).WithPlugin(rejector)
}
