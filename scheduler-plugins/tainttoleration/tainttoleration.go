package tainttoleration

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "TaintToleration"
	// ErrReasonNotMatch is the Filter status reason for an untolerated taint.
	ErrReasonNotMatch = "node(s) had untolerated taint(s)"

	preScoreStateKey fwk.StateKey = "PreScore" + Name
)

// Plugin checks a pod's tolerations against node taints.
type Plugin struct{}

var (
	_ fwk.FilterPlugin      = &Plugin{}
	_ fwk.PreScorePlugin    = &Plugin{}
	_ fwk.ScorePlugin       = &Plugin{}
	_ fwk.ScoreExtensions   = &Plugin{}
	_ fwk.EnqueueExtensions = &Plugin{}
	_ fwk.SignPlugin        = &Plugin{}
)

// New returns the plugin; it takes no args.
func New(_ context.Context, _ runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	return &Plugin{}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's tolerations only.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.TolerationsSignerName, Value: fwk.TolerationsSigner(pod)}}, nil
}

// EventsToRegister: a node added or losing a taint, or the pod gaining a toleration.
func (*Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeTaint}, QueueingHintFn: isSchedulableAfterNodeChange},
		// Tolerations can only be added, so any change may help.
		{Event: fwk.ClusterEvent{Resource: fwk.TargetPod, ActionType: fwk.UpdatePodToleration}, QueueingHintFn: queue},
	}, nil
}

func queue(klog.Logger, *corev1.Pod, any, any) (fwk.QueueingHint, error) { return fwk.Queue, nil }

func isSchedulableAfterNodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	wasUntolerated := true
	if oldNode != nil {
		_, wasUntolerated = helper.UntoleratedTaint(logger, oldNode.Spec.Taints, pod.Spec.Tolerations, helper.DoNotScheduleTaint)
	}
	_, isUntolerated := helper.UntoleratedTaint(logger, newNode.Spec.Taints, pod.Spec.Tolerations, helper.DoNotScheduleTaint)
	if wasUntolerated && !isUntolerated {
		logger.V(5).Info("node was created or updated, and its taints may now be tolerated", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

// Filter rejects a node with a NoSchedule or NoExecute taint the pod doesn't tolerate.
func (*Plugin) Filter(ctx context.Context, _ fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	node := nodeInfo.Node()
	if len(node.Spec.Taints) == 0 {
		return nil
	}
	logger := klog.FromContext(ctx)
	taint, untolerated := helper.UntoleratedTaint(logger, node.Spec.Taints, pod.Spec.Tolerations, helper.DoNotScheduleTaint)
	if !untolerated {
		return nil
	}
	logger.V(4).Info("node had untolerated taints", "node", klog.KObj(node), "pod", klog.KObj(pod), "untoleratedTaint", taint)
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNotMatch)
}

// preScoreState holds the pod's tolerations that can tolerate PreferNoSchedule taints.
type preScoreState struct {
	tolerations []corev1.Toleration
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() fwk.StateData { return s }

// PreScore keeps the tolerations with effect PreferNoSchedule or no effect.
func (*Plugin) PreScore(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	s := &preScoreState{}
	for _, t := range pod.Spec.Tolerations {
		if t.Effect == "" || t.Effect == corev1.TaintEffectPreferNoSchedule {
			s.tolerations = append(s.tolerations, t)
		}
	}
	cs.Write(preScoreStateKey, s)
	return nil
}

// Score counts the node's PreferNoSchedule taints the pod doesn't tolerate (fewer is better;
// NormalizeScore reverses it).
func (*Plugin) Score(ctx context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	var n int64
	taints := nodeInfo.Node().Spec.Taints
	for i := range taints {
		if taints[i].Effect != corev1.TaintEffectPreferNoSchedule {
			continue
		}
		if !corev1helpers.TolerationsTolerateTaint(klog.FromContext(ctx), s.tolerations, &taints[i], helper.EnableTaintTolerationComparisonOperators) {
			n++
		}
	}
	return n, nil
}

// ScoreExtensions returns the plugin, which normalises its scores.
func (pl *Plugin) ScoreExtensions() fwk.ScoreExtensions { return pl }

// NormalizeScore maps counts to [0, MaxNodeScore], fewest untolerated taints highest.
func (*Plugin) NormalizeScore(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, scores fwk.NodeScoreList) *fwk.Status {
	return helper.DefaultNormalizeScore(fwk.MaxNodeScore, true, scores)
}
