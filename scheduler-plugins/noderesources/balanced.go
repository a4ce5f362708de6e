package noderesources

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	resourcehelper "k8s.io/component-helpers/resource"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// BalancedAllocationName is the BalancedAllocation plugin's name in the registry and in
	// configurations.
	BalancedAllocationName = "NodeResourcesBalancedAllocation"

	balancedPreScoreStateKey fwk.StateKey = "PreScore" + BalancedAllocationName
)

// BalancedAllocation favours nodes whose resource usage fractions stay close to each other
// once the pod is placed.
type BalancedAllocation struct {
	scorer *allocationScorer
}

var (
	_ fwk.PreScorePlugin = &BalancedAllocation{}
	_ fwk.ScorePlugin    = &BalancedAllocation{}
	_ fwk.SignPlugin     = &BalancedAllocation{}
)

// NewBalancedAllocation builds the plugin from *configv1.NodeResourcesBalancedAllocationArgs
// (nil: cpu and memory).
func NewBalancedAllocation(_ context.Context, obj runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	args, err := balancedArgs(obj)
	if err != nil {
		return nil, err
	}
	return &BalancedAllocation{scorer: newAllocationScorer(balanced, args.Resources, nil, true, resourcehelper.PodResourcesOptions{
		UseStatusResources: helper.EnableInPlacePodVerticalScaling,
		InPlacePodLevelResourcesVerticalScalingEnabled: helper.EnableInPlacePodLevelResourcesVerticalScaling,
		SkipPodLevelResources:                          !helper.EnablePodLevelResources,
	})}, nil
}

// Name returns BalancedAllocationName.
func (*BalancedAllocation) Name() string { return BalancedAllocationName }

// SignPod: the result depends on the pod's requests.
func (*BalancedAllocation) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.ResourcesSignerName, Value: podRequest(pod)}}, nil
}

// PreScore computes the pod's requests; Skip for pods requesting nothing, so best-effort pods
// don't all pile onto one node.
func (ba *BalancedAllocation) PreScore(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	reqs := ba.scorer.podRequests(pod)
	if bestEffort(reqs) {
		return fwk.NewStatus(fwk.Skip)
	}
	cs.Write(balancedPreScoreStateKey, &preScoreState{podRequests: reqs})
	return nil
}

// Score scores how balanced the node's usage is with the pod, relative to without it.
func (ba *BalancedAllocation) Score(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := helper.ReadState[*preScoreState](cs, balancedPreScoreStateKey)
	if err != nil {
		s = &preScoreState{podRequests: ba.scorer.podRequests(pod)}
		if bestEffort(s.podRequests) {
			return 0, nil
		}
	}
	return ba.scorer.score(ctx, pod, nodeInfo, s.podRequests)
}

// ScoreExtensions: none, scores are already on [0, MaxNodeScore].
func (*BalancedAllocation) ScoreExtensions() fwk.ScoreExtensions { return nil }
