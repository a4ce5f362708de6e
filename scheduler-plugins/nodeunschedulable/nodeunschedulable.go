package nodeunschedulable

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
	Name = "NodeUnschedulable"
	// ErrReasonUnschedulable is the Filter status reason for a cordoned node.
	ErrReasonUnschedulable = "node(s) were unschedulable"
)

// unschedulableTaint is the taint spec.unschedulable stands for.
var unschedulableTaint = corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}

// Plugin filters out cordoned nodes.
type Plugin struct{}

var (
	_ fwk.FilterPlugin      = &Plugin{}
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

// EventsToRegister: a node added or uncordoned, or the pod gaining a toleration.
func (pl *Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeTaint}, QueueingHintFn: isSchedulableAfterNodeChange},
		{Event: fwk.ClusterEvent{Resource: fwk.TargetPod, ActionType: fwk.UpdatePodToleration}, QueueingHintFn: isSchedulableAfterPodTolerationChange},
	}, nil
}

func isSchedulableAfterNodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if newNode == nil || newNode.Spec.Unschedulable {
		return fwk.QueueSkip, nil
	}
	if oldNode == nil || oldNode.Spec.Unschedulable {
		logger.V(5).Info("node was created or uncordoned, pod may be schedulable now", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

func isSchedulableAfterPodTolerationChange(logger klog.Logger, _ *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	_, pod, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if tolerates(logger, pod) {
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

func tolerates(logger klog.Logger, pod *corev1.Pod) bool {
	return corev1helpers.TolerationsTolerateTaint(logger, pod.Spec.Tolerations, &unschedulableTaint, helper.EnableTaintTolerationComparisonOperators)
}

// Filter rejects a cordoned node unless the pod tolerates the unschedulable taint.
func (*Plugin) Filter(ctx context.Context, _ fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	if !nodeInfo.Node().Spec.Unschedulable || tolerates(klog.FromContext(ctx), pod) {
		return nil
	}
	return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonUnschedulable)
}
