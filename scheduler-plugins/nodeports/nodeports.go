package nodeports

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "NodePorts"
	// ErrReason is the Filter status reason when a wanted host port is taken.
	ErrReason = "node(s) didn't have free ports for the requested pod ports"

	preFilterStateKey fwk.StateKey = "PreFilter" + Name
)

// Plugin checks host ports.
type Plugin struct{}

var (
	_ fwk.PreFilterPlugin   = &Plugin{}
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

// SignPod: the result depends on the pod's host ports.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.HostPortsSignerName, Value: fwk.HostPortsSigner(pod)}}, nil
}

// preFilterState is the pod's wanted host ports.
type preFilterState []corev1.ContainerPort

// Clone returns s: other pods don't change it.
func (s preFilterState) Clone() fwk.StateData { return s }

// PreFilter collects the pod's host ports; Skip when it has none.
func (*Plugin) PreFilter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	ports := helper.HostPorts(pod)
	if len(ports) == 0 {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, preFilterState(ports))
	return nil, nil
}

// PreFilterExtensions: none; Filter reads the used ports from the NodeInfo it is given.
func (*Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

// Filter rejects the node when a wanted port conflicts with one in use there.
func (*Plugin) Filter(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	want, err := helper.ReadState[preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if !fitsPorts(want, nodeInfo.GetUsedPorts()) {
		return fwk.NewStatus(fwk.Unschedulable, ErrReason)
	}
	return nil
}

// Fits reports whether pod's host ports are free on the node.
func Fits(pod *corev1.Pod, nodeInfo fwk.NodeInfo) bool {
	return fitsPorts(helper.HostPorts(pod), nodeInfo.GetUsedPorts())
}

func fitsPorts(want []corev1.ContainerPort, used fwk.HostPortInfo) bool {
	for _, p := range want {
		if used.CheckConflict(p.HostIP, string(p.Protocol), p.HostPort) {
			return false
		}
	}
	return true
}

// EventsToRegister: a bound pod using one of our ports going away, or a new node.
func (*Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Delete}, QueueingHintFn: isSchedulableAfterPodDeleted},
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add}},
	}, nil
}

func isSchedulableAfterPodDeleted(logger klog.Logger, pod *corev1.Pod, oldObj, _ any) (fwk.QueueingHint, error) {
	deleted, _, err := helper.As[*corev1.Pod](oldObj, nil)
	if err != nil {
		return fwk.Queue, err
	}
	if deleted.Spec.NodeName == "" && deleted.Status.NominatedNodeName == "" {
		return fwk.QueueSkip, nil
	}
	ports := helper.HostPorts(deleted)
	if len(ports) == 0 {
		return fwk.QueueSkip, nil
	}
	freed := make(fwk.HostPortInfo, len(ports))
	for _, p := range ports {
		freed.Add(p.HostIP, string(p.Protocol), p.HostPort)
	}
	if fitsPorts(helper.HostPorts(pod), freed) {
		return fwk.QueueSkip, nil
	}
	logger.V(4).Info("a deleted pod freed a host port the pod wants", "pod", klog.KObj(pod), "deletedPod", klog.KObj(deleted))
	return fwk.Queue, nil
}
