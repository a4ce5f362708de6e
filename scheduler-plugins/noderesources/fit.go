package noderesources

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	resourcehelper "k8s.io/component-helpers/resource"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

const (
	// Name is the Fit plugin's name in the registry and in configurations.
	Name = "NodeResourcesFit"

	preFilterStateKey fwk.StateKey = "PreFilter" + Name
	preScoreStateKey  fwk.StateKey = "PreScore" + Name
)

// Fit checks that a node has room for the pod's requests and scores nodes by the configured
// strategy.
type Fit struct {
	ignoredResources      sets.Set[string]
	ignoredResourceGroups sets.Set[string]
	scorer                *allocationScorer
}

var (
	_ fwk.PreFilterPlugin   = &Fit{}
	_ fwk.FilterPlugin      = &Fit{}
	_ fwk.PreScorePlugin    = &Fit{}
	_ fwk.ScorePlugin       = &Fit{}
	_ fwk.EnqueueExtensions = &Fit{}
	_ fwk.SignPlugin        = &Fit{}
)

// NewFit builds Fit from *configv1.NodeResourcesFitArgs (nil: upstream's defaults, LeastAllocated
// on cpu and memory).
func NewFit(_ context.Context, obj runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	args, err := fitArgs(obj)
	if err != nil {
		return nil, err
	}
	var shape []configv1.UtilizationShapePoint
	if r := args.ScoringStrategy.RequestedToCapacityRatio; r != nil {
		shape = r.Shape
	}
	return &Fit{
		ignoredResources:      sets.New(args.IgnoredResources...),
		ignoredResourceGroups: sets.New(args.IgnoredResourceGroups...),
		// As upstream, Fit's scorer reads container requests only (pod-level resources and
		// resize status are not consulted when scoring), counting missing ones as defaults.
		scorer: newAllocationScorer(args.ScoringStrategy.Type, args.ScoringStrategy.Resources, shape, false,
			resourcehelper.PodResourcesOptions{SkipPodLevelResources: true}),
	}, nil
}

// Name returns Name.
func (*Fit) Name() string { return Name }

// podRequest is the pod's requests as the node accounts them.
func podRequest(pod *corev1.Pod) *nodeinfo.Resource {
	r := &nodeinfo.Resource{}
	r.SetMaxResource(resourcehelper.PodRequests(pod, resourcehelper.PodResourcesOptions{SkipPodLevelResources: !helper.EnablePodLevelResources}))
	return r
}

// SignPod: the result depends on the pod's requests.
func (*Fit) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.ResourcesSignerName, Value: podRequest(pod)}}, nil
}

// preFilterState is the pod's requests.
type preFilterState struct{ nodeinfo.Resource }

// Clone returns s: other pods don't change it.
func (s *preFilterState) Clone() fwk.StateData { return s }

// PreFilter computes the pod's requests once.
func (*Fit) PreFilter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	cs.Write(preFilterStateKey, &preFilterState{*podRequest(pod)})
	return nil, nil
}

// PreFilterExtensions: none; Filter reads the node's usage from the NodeInfo it is given.
func (*Fit) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

// Filter rejects the node when the pod count or any requested resource would exceed
// allocatable. A resource the pod asks more of than the whole node has is
// UnschedulableAndUnresolvable (preemption can't help).
func (f *Fit) Filter(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	insufficient := fitsRequest(&s.Resource, nodeInfo, f.ignoredResources, f.ignoredResourceGroups)
	if len(insufficient) == 0 {
		return nil
	}
	code := fwk.Unschedulable
	reasons := make([]string, 0, len(insufficient))
	for _, r := range insufficient {
		reasons = append(reasons, r.Reason)
		if r.Unresolvable {
			code = fwk.UnschedulableAndUnresolvable
		}
	}
	return fwk.NewStatus(code, reasons...)
}

// InsufficientResource is a resource the node lacks for the pod.
type InsufficientResource struct {
	ResourceName corev1.ResourceName
	Reason       string
	Requested    int64
	Used         int64
	Capacity     int64
	// Unresolvable is set when the pod asks for more than the node's whole allocatable.
	Unresolvable bool
}

// Fits returns the resources nodeInfo lacks for pod (none: it fits).
func Fits(pod *corev1.Pod, nodeInfo fwk.NodeInfo) []InsufficientResource {
	return fitsRequest(podRequest(pod), nodeInfo, nil, nil)
}

func fitsRequest(req *nodeinfo.Resource, nodeInfo fwk.NodeInfo, ignored, ignoredGroups sets.Set[string]) []InsufficientResource {
	var out []InsufficientResource
	alloc, used := nodeInfo.GetAllocatable(), nodeInfo.GetRequested()
	if pods, allowed := len(nodeInfo.GetPods()), alloc.GetAllowedPodNumber(); pods+1 > allowed {
		out = append(out, InsufficientResource{ResourceName: corev1.ResourcePods, Reason: "Too many pods",
			Requested: 1, Used: int64(pods), Capacity: int64(allowed)})
	}
	if req.MilliCPU == 0 && req.Memory == 0 && req.EphemeralStorage == 0 && len(req.ScalarResources) == 0 {
		return out
	}
	check := func(name corev1.ResourceName, reason string, want, capacity, inUse int64) {
		if want > 0 && want > capacity-inUse {
			out = append(out, InsufficientResource{ResourceName: name, Reason: reason,
				Requested: want, Used: inUse, Capacity: capacity, Unresolvable: want > capacity})
		}
	}
	check(corev1.ResourceCPU, "Insufficient cpu", req.MilliCPU, alloc.GetMilliCPU(), used.GetMilliCPU())
	check(corev1.ResourceMemory, "Insufficient memory", req.Memory, alloc.GetMemory(), used.GetMemory())
	check(corev1.ResourceEphemeralStorage, "Insufficient ephemeral-storage", req.EphemeralStorage, alloc.GetEphemeralStorage(), used.GetEphemeralStorage())
	for name, q := range req.ScalarResources {
		if q == 0 {
			continue
		}
		if nodeinfo.IsExtendedResourceName(name) {
			group, _, _ := strings.Cut(string(name), "/")
			if ignored.Has(string(name)) || ignoredGroups.Has(group) {
				continue
			}
		}
		capacity, inUse := alloc.GetScalarResources()[name], used.GetScalarResources()[name]
		if q > capacity-inUse {
			out = append(out, InsufficientResource{ResourceName: name, Reason: fmt.Sprintf("Insufficient %v", name),
				Requested: q, Used: inUse, Capacity: capacity, Unresolvable: q > capacity})
		}
	}
	return out
}

// preScoreState is the pod's requests for the scored resources.
type preScoreState struct{ podRequests []int64 }

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() fwk.StateData { return s }

// PreScore computes the pod's requests for the scored resources once.
func (f *Fit) PreScore(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	cs.Write(preScoreStateKey, &preScoreState{podRequests: f.scorer.podRequests(pod)})
	return nil
}

// Score scores the node by the configured strategy.
func (f *Fit) Score(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		s = &preScoreState{podRequests: f.scorer.podRequests(pod)}
	}
	return f.scorer.score(ctx, pod, nodeInfo, s.podRequests)
}

// ScoreExtensions: none, scores are already on [0, MaxNodeScore].
func (*Fit) ScoreExtensions() fwk.ScoreExtensions { return nil }
