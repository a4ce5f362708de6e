package podtopologyspread

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// EventsToRegister: bound pods added, relabelled or deleted; the pod's own labels or
// tolerations changing; nodes added, deleted, relabelled or retainted.
func (pl *Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Add | fwk.UpdatePodLabel | fwk.Delete}, QueueingHintFn: pl.isSchedulableAfterAssignedPodChange},
		{Event: fwk.ClusterEvent{Resource: fwk.TargetPod, ActionType: fwk.UpdatePodToleration | fwk.UpdatePodLabel}, QueueingHintFn: pl.isSchedulableAfterTargetPodChange},
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.Delete | fwk.UpdateNodeLabel | fwk.UpdateNodeTaint}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
	}, nil
}

func (pl *Plugin) isSchedulableAfterTargetPodChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldPod, newPod, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	cs, err := pl.constraints(pod, corev1.DoNotSchedule)
	if err != nil {
		return fwk.Queue, err
	}
	if !equality.Semantic.DeepEqual(newPod.Spec.Tolerations, oldPod.Spec.Tolerations) {
		for i := range cs {
			if cs[i].NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor {
				logger.V(5).Info("the unschedulable pod has got a new toleration, which could make it schedulable", "pod", klog.KObj(pod))
				return fwk.Queue, nil
			}
		}
	}
	return labelChangeHint(oldPod, newPod, cs), nil
}

// labelChangeHint queues when the change flips whether some constraint selects the pod.
func labelChangeHint(oldPod, newPod *corev1.Pod, cs []constraint) fwk.QueueingHint {
	if equality.Semantic.DeepEqual(oldPod.Labels, newPod.Labels) {
		return fwk.QueueSkip
	}
	for i := range cs {
		if cs[i].Selector.Matches(labels.Set(oldPod.Labels)) != cs[i].Selector.Matches(labels.Set(newPod.Labels)) {
			return fwk.Queue
		}
	}
	return fwk.QueueSkip
}

// involved reports whether other (bound or nominated, same namespace) counts for pod.
func involved(other, pod *corev1.Pod) bool {
	return (other.Spec.NodeName != "" || other.Status.NominatedNodeName != "") && other.Namespace == pod.Namespace
}

func (pl *Plugin) isSchedulableAfterAssignedPodChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldPod, newPod, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if (newPod != nil && !involved(newPod, pod)) || (oldPod != nil && !involved(oldPod, pod)) {
		return fwk.QueueSkip, nil
	}
	cs, err := pl.constraints(pod, corev1.DoNotSchedule)
	if err != nil {
		return fwk.Queue, err
	}
	switch {
	case oldPod != nil && newPod != nil:
		return labelChangeHint(oldPod, newPod, cs), nil
	case newPod != nil:
		if anySelects(cs, newPod.Labels) {
			logger.V(5).Info("a scheduled pod was created and it matches with the pod's topology spread constraints", "pod", klog.KObj(pod), "createdPod", klog.KObj(newPod))
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	default:
		if anySelects(cs, oldPod.Labels) {
			logger.V(5).Info("a scheduled pod which matches with the pod's topology spread constraints was deleted", "pod", klog.KObj(pod), "deletedPod", klog.KObj(oldPod))
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	}
}

func (pl *Plugin) isSchedulableAfterNodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	cs, err := pl.constraints(pod, corev1.DoNotSchedule)
	if err != nil {
		return fwk.Queue, err
	}
	var oldMatch, newMatch bool
	if oldNode != nil {
		oldMatch = nodeHasAllKeys(oldNode.Labels, cs)
	}
	if newNode != nil {
		newMatch = nodeHasAllKeys(newNode.Labels, cs)
	}
	switch {
	case oldNode != nil && newNode != nil:
		if oldMatch != newMatch {
			return fwk.Queue, nil
		}
		if newMatch && (topologyValuesChanged(oldNode.Labels, newNode.Labels, cs) || !equality.Semantic.DeepEqual(oldNode.Spec.Taints, newNode.Spec.Taints)) {
			logger.V(5).Info("the node is updated and now has different taints or labels, and the pod may be schedulable now", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	case newNode != nil:
		if newMatch {
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	default:
		if oldMatch {
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	}
}

func topologyValuesChanged(oldLabels, newLabels map[string]string, cs []constraint) bool {
	for i := range cs {
		if oldLabels[cs[i].TopologyKey] != newLabels[cs[i].TopologyKey] {
			return true
		}
	}
	return false
}
