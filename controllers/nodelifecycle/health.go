package nodelifecycle

import (
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// nodeHealth is what the controller last saw of a node, with local times: heartbeats are
// judged by when the controller noticed them, not by the clocks of nodes.
type nodeHealth struct {
	probeTimestamp           metav1.Time
	readyTransitionTimestamp metav1.Time
	status                   *corev1.NodeStatus
	lease                    *coordinationv1.Lease
}

// unknownConditionTypes are the conditions set to Unknown when a node stops posting status;
// NetworkUnavailable is left alone, as upstream (the network provider owns it).
var unknownConditionTypes = []corev1.NodeConditionType{
	corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure,
}

func nodeCondition(status *corev1.NodeStatus, t corev1.NodeConditionType) *corev1.NodeCondition {
	if status == nil {
		return nil
	}
	for i := range status.Conditions {
		if status.Conditions[i].Type == t {
			return &status.Conditions[i]
		}
	}
	return nil
}

// observe folds node and its lease (nil when there is none) into the saved health. It returns
// the new health, the grace period the node is entitled to and the Ready condition as observed
// (a made-up Unknown one when the node never posted one).
func observe(saved *nodeHealth, node *corev1.Node, lease *coordinationv1.Lease, now metav1.Time, grace, startupGrace time.Duration) (*nodeHealth, time.Duration, corev1.NodeCondition) {
	status := node.Status.DeepCopy()
	var h *nodeHealth
	if saved != nil {
		copied := *saved
		h = &copied
	}
	var observed corev1.NodeCondition
	gracePeriod := grace
	current := nodeCondition(&node.Status, corev1.NodeReady)
	if current == nil {
		// Never posted: count from the node's creation, with the longer start-up grace.
		observed = corev1.NodeCondition{
			Type: corev1.NodeReady, Status: corev1.ConditionUnknown,
			LastHeartbeatTime: node.CreationTimestamp, LastTransitionTime: node.CreationTimestamp,
		}
		gracePeriod = startupGrace
		if h != nil {
			h.status = status
		} else {
			h = &nodeHealth{status: status, probeTimestamp: node.CreationTimestamp, readyTransitionTimestamp: node.CreationTimestamp}
		}
	} else {
		observed = *current
	}

	var savedCondition *corev1.NodeCondition
	var savedLease *coordinationv1.Lease
	if h != nil {
		savedCondition = nodeCondition(h.status, corev1.NodeReady)
		savedLease = h.lease
	}
	switch {
	case h == nil, savedCondition == nil && current != nil, savedCondition != nil && current == nil:
		// First sight (or the condition came or went): count from now.
		h = &nodeHealth{status: status, probeTimestamp: now, readyTransitionTimestamp: now}
	case savedCondition != nil && current != nil && !savedCondition.LastHeartbeatTime.Equal(&current.LastHeartbeatTime):
		transition := h.readyTransitionTimestamp
		if !savedCondition.LastTransitionTime.Equal(&current.LastTransitionTime) {
			transition = now
		}
		h = &nodeHealth{status: status, probeTimestamp: now, readyTransitionTimestamp: transition}
	}
	// A renewed lease is a heartbeat too.
	if lease != nil && (savedLease == nil || savedLease.Spec.RenewTime.Before(lease.Spec.RenewTime)) {
		h.lease = lease
		h.probeTimestamp = now
	}
	return h, gracePeriod, observed
}

// markUnknown sets the node's kubelet-owned conditions to Unknown, adding those it never
// posted, as upstream does for a node without heartbeats.
func markUnknown(node *corev1.Node, now metav1.Time) {
	for _, t := range unknownConditionTypes {
		c := nodeCondition(&node.Status, t)
		if c == nil {
			node.Status.Conditions = append(node.Status.Conditions, corev1.NodeCondition{
				Type:               t,
				Status:             corev1.ConditionUnknown,
				Reason:             "NodeStatusNeverUpdated",
				Message:            "Kubelet never posted node status.",
				LastHeartbeatTime:  node.CreationTimestamp,
				LastTransitionTime: now,
			})
			continue
		}
		if c.Status != corev1.ConditionUnknown {
			c.Status = corev1.ConditionUnknown
			c.Reason = "NodeStatusUnknown"
			c.Message = "Kubelet stopped posting node status."
			c.LastTransitionTime = now
		}
	}
}
