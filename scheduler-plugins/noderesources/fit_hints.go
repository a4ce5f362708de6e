package noderesources

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	resourcehelper "k8s.io/component-helpers/resource"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// EventsToRegister: a bound pod deleted or scaled down, the pod itself scaled down, or a node
// added or given more allocatable.
func (f *Fit) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Delete}, QueueingHintFn: isSchedulableAfterPodDeleted},
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeAllocatable}, QueueingHintFn: isSchedulableAfterNodeChange},
		{Event: fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.UpdatePodScaleDown}, QueueingHintFn: isSchedulableAfterPodScaleDown},
		{Event: fwk.ClusterEvent{Resource: fwk.TargetPod, ActionType: fwk.UpdatePodScaleDown}, QueueingHintFn: queue},
	}, nil
}

func queue(klog.Logger, *corev1.Pod, any, any) (fwk.QueueingHint, error) { return fwk.Queue, nil }

func isSchedulableAfterPodDeleted(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	deleted, _, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if deleted.Spec.NodeName == "" && deleted.Status.NominatedNodeName == "" {
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("a scheduled pod was deleted, and it may make the unscheduled pod schedulable", "pod", klog.KObj(pod), "deletedPod", klog.KObj(deleted))
	return fwk.Queue, nil
}

// statusRequests computes a bound pod's requests including what the kubelet reports.
var statusRequests = resourcehelper.PodResourcesOptions{
	UseStatusResources: helper.EnableInPlacePodVerticalScaling,
	InPlacePodLevelResourcesVerticalScalingEnabled: helper.EnableInPlacePodLevelResourcesVerticalScaling,
}

func isSchedulableAfterPodScaleDown(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldPod, newPod, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if newPod.Spec.NodeName == "" {
		return fwk.QueueSkip, nil
	}
	before, after := &nodeinfo.Resource{}, &nodeinfo.Resource{}
	before.SetMaxResource(resourcehelper.PodRequests(oldPod, statusRequests))
	after.SetMaxResource(resourcehelper.PodRequests(newPod, statusRequests))
	for name, q := range resourcehelper.PodRequests(pod, statusRequests) {
		if q.IsZero() {
			continue
		}
		var freed bool
		switch name {
		case corev1.ResourceCPU:
			freed = before.MilliCPU > after.MilliCPU
		case corev1.ResourceMemory:
			freed = before.Memory > after.Memory
		case corev1.ResourceEphemeralStorage:
			freed = before.EphemeralStorage > after.EphemeralStorage
		default:
			freed = nodeinfo.IsScalarResourceName(name) && before.ScalarResources[name] > after.ScalarResources[name]
		}
		if freed {
			logger.V(5).Info("a scheduled pod was scaled down, and it may make the unscheduled pod schedulable", "pod", klog.KObj(pod), "modifiedPod", klog.KObj(newPod))
			return fwk.Queue, nil
		}
	}
	return fwk.QueueSkip, nil
}

func isSchedulableAfterNodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if newNode == nil {
		return fwk.QueueSkip, nil
	}
	empty := nodeinfo.NewNodeInfo()
	empty.SetNode(newNode)
	if len(Fits(pod, empty)) != 0 {
		logger.V(5).Info("node was created or updated, but it doesn't have enough resource(s) to accommodate this pod", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
		return fwk.QueueSkip, nil
	}
	if oldNode == nil || anyRequestedIncreased(pod, oldNode, newNode) {
		logger.V(5).Info("node was created or updated, and may now fit the pod's resource requests", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

// anyRequestedIncreased reports whether the node's pod capacity or its allocatable of a
// resource the pod requests grew.
func anyRequestedIncreased(pod *corev1.Pod, oldNode, newNode *corev1.Node) bool {
	req := podRequest(pod)
	before, after := nodeinfo.NewResource(oldNode.Status.Allocatable), nodeinfo.NewResource(newNode.Status.Allocatable)
	if after.AllowedPodNumber > before.AllowedPodNumber {
		return true
	}
	if (req.MilliCPU > 0 && after.MilliCPU > before.MilliCPU) ||
		(req.Memory > 0 && after.Memory > before.Memory) ||
		(req.EphemeralStorage > 0 && after.EphemeralStorage > before.EphemeralStorage) {
		return true
	}
	for name, q := range req.ScalarResources {
		if q != 0 && after.ScalarResources[name] > before.ScalarResources[name] {
			return true
		}
	}
	return false
}
