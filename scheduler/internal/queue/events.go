package queue

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	resourcehelper "k8s.io/component-helpers/resource"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// Well-known events of the queue itself.
var (
	// UnschedulableTimeout moves pods that stayed unschedulable for too long.
	UnschedulableTimeout = fwk.ClusterEvent{Resource: fwk.WildCard, ActionType: fwk.All, CustomLabel: "UnschedulableTimeout"}
	// ForceActivate is used by Activate.
	ForceActivate = fwk.ClusterEvent{Resource: fwk.WildCard, ActionType: fwk.All, CustomLabel: "ForceActivate"}
	// EventAssignedPodDelete is a bound pod deleted (or an assumed pod forgotten).
	EventAssignedPodDelete = fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Delete}
)

// matchEvent reports whether a registered event covers an incoming one, as upstream: the
// resource matches (Pod covers assigned/unscheduled/target pods) and the incoming action is
// one of, and no broader than, the registered ones.
func matchEvent(registered, incoming fwk.ClusterEvent) bool {
	if registered.Resource == fwk.WildCard && registered.ActionType == fwk.All {
		return true
	}
	r := registered.Resource
	resOK := r == fwk.WildCard || r == incoming.Resource ||
		r == fwk.Pod && (incoming.Resource == fwk.AssignedPod || incoming.Resource == fwk.UnscheduledPod || incoming.Resource == fwk.TargetPod)
	return resOK && registered.ActionType&incoming.ActionType != 0 && incoming.ActionType <= registered.ActionType
}

func isWildCard(e fwk.ClusterEvent) bool {
	return e.Resource == fwk.WildCard && e.ActionType == fwk.All
}

// PodUpdateEvents classifies a pod update as upstream's PodSchedulingPropertiesChange.
func PodUpdateEvents(newPod, oldPod *corev1.Pod, isTarget bool) []fwk.ClusterEvent {
	r := fwk.UnscheduledPod
	if newPod.Spec.NodeName != "" {
		r = fwk.AssignedPod
	} else if isTarget {
		r = fwk.TargetPod
	}
	var actions []fwk.ActionType
	if !equality.Semantic.DeepEqual(newPod.Labels, oldPod.Labels) {
		actions = append(actions, fwk.UpdatePodLabel)
	}
	opts := nodeinfo.PodRequestsOptions()
	newReq, oldReq := resourcehelper.PodRequests(newPod, opts), resourcehelper.PodRequests(oldPod, opts)
	for name, o := range oldReq {
		if n, ok := newReq[name]; !ok || o.MilliValue() > n.MilliValue() {
			actions = append(actions, fwk.UpdatePodScaleDown)
			break
		}
	}
	for name, n := range newReq {
		if o, ok := oldReq[name]; !ok || n.MilliValue() > o.MilliValue() {
			actions = append(actions, fwk.UpdatePodScaleUp)
			break
		}
	}
	if len(newPod.Spec.SchedulingGates) == 0 && len(oldPod.Spec.SchedulingGates) != 0 {
		actions = append(actions, fwk.UpdatePodSchedulingGatesEliminated)
	}
	if len(newPod.Spec.Tolerations) != len(oldPod.Spec.Tolerations) {
		actions = append(actions, fwk.UpdatePodToleration)
	}
	if len(actions) == 0 {
		actions = append(actions, fwk.Update)
	}
	out := make([]fwk.ClusterEvent, len(actions))
	for i, a := range actions {
		out[i] = fwk.ClusterEvent{Resource: r, ActionType: a}
	}
	return out
}

// NodeUpdateEvents classifies a node update as upstream's NodeSchedulingPropertiesChange.
func NodeUpdateEvents(newNode, oldNode *corev1.Node) []fwk.ClusterEvent {
	var actions []fwk.ActionType
	if newNode.Spec.Unschedulable != oldNode.Spec.Unschedulable && !newNode.Spec.Unschedulable {
		actions = append(actions, fwk.UpdateNodeTaint)
	}
	if !equality.Semantic.DeepEqual(oldNode.Status.Allocatable, newNode.Status.Allocatable) {
		actions = append(actions, fwk.UpdateNodeAllocatable)
	}
	if !equality.Semantic.DeepEqual(newNode.Labels, oldNode.Labels) {
		actions = append(actions, fwk.UpdateNodeLabel)
	}
	if !equality.Semantic.DeepEqual(newNode.Spec.Taints, oldNode.Spec.Taints) {
		actions = append(actions, fwk.UpdateNodeTaint)
	}
	strip := func(cs []corev1.NodeCondition) map[corev1.NodeConditionType]corev1.ConditionStatus {
		m := make(map[corev1.NodeConditionType]corev1.ConditionStatus, len(cs))
		for _, c := range cs {
			m[c.Type] = c.Status
		}
		return m
	}
	if !equality.Semantic.DeepEqual(strip(oldNode.Status.Conditions), strip(newNode.Status.Conditions)) {
		actions = append(actions, fwk.UpdateNodeCondition)
	}
	if !equality.Semantic.DeepEqual(oldNode.Annotations, newNode.Annotations) {
		actions = append(actions, fwk.UpdateNodeAnnotation)
	}
	if !equality.Semantic.DeepEqual(oldNode.Spec.PodPreemptionPolicy, newNode.Spec.PodPreemptionPolicy) {
		actions = append(actions, fwk.UpdateNodePreemptionPolicy)
	}
	if !slices.Equal(oldNode.Status.DeclaredFeatures, newNode.Status.DeclaredFeatures) {
		actions = append(actions, fwk.UpdateNodeDeclaredFeature)
	}
	out := make([]fwk.ClusterEvent, len(actions))
	for i, a := range actions {
		out[i] = fwk.ClusterEvent{Resource: fwk.Node, ActionType: a}
	}
	return out
}
