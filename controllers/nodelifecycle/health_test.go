package nodelifecycle

import (
	"testing"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) metav1.Time { return metav1.NewTime(t0.Add(d)) }

func readyNode(status corev1.ConditionStatus, heartbeat metav1.Time) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", CreationTimestamp: at(-time.Hour)}}
	if status != "" {
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status, LastHeartbeatTime: heartbeat, LastTransitionTime: at(-time.Hour)}}
	}
	return n
}

func lease(renew time.Duration) *coordinationv1.Lease {
	t := metav1.NewMicroTime(t0.Add(renew))
	return &coordinationv1.Lease{Spec: coordinationv1.LeaseSpec{RenewTime: &t}}
}

func TestObserve(t *testing.T) {
	grace, startup := 50*time.Second, 60*time.Second
	now := at(10 * time.Minute)
	saved := func(hb metav1.Time, l *coordinationv1.Lease) *nodeHealth {
		return &nodeHealth{probeTimestamp: at(0), readyTransitionTimestamp: at(0), status: &readyNode(corev1.ConditionTrue, hb).Status, lease: l}
	}
	tests := []struct {
		name       string
		saved      *nodeHealth
		node       *corev1.Node
		lease      *coordinationv1.Lease
		wantProbe  metav1.Time
		wantGrace  time.Duration
		wantStatus corev1.ConditionStatus
	}{
		{"first sight counts from now", nil, readyNode(corev1.ConditionTrue, at(0)), nil, now, grace, corev1.ConditionTrue},
		{"never posted counts from creation", nil, readyNode("", metav1.Time{}), nil, at(-time.Hour), startup, corev1.ConditionUnknown},
		{"same heartbeat, no lease: stale", saved(at(0), nil), readyNode(corev1.ConditionTrue, at(0)), nil, at(0), grace, corev1.ConditionTrue},
		{"new heartbeat refreshes", saved(at(0), nil), readyNode(corev1.ConditionTrue, at(time.Minute)), nil, now, grace, corev1.ConditionTrue},
		{"renewed lease refreshes", saved(at(0), lease(0)), readyNode(corev1.ConditionTrue, at(0)), lease(time.Minute), now, grace, corev1.ConditionTrue},
		{"same lease: stale", saved(at(0), lease(0)), readyNode(corev1.ConditionTrue, at(0)), lease(0), at(0), grace, corev1.ConditionTrue},
		{"first lease refreshes", saved(at(0), nil), readyNode(corev1.ConditionTrue, at(0)), lease(0), now, grace, corev1.ConditionTrue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, g, observed := observe(tt.saved, tt.node, tt.lease, now, grace, startup)
			if !h.probeTimestamp.Equal(&tt.wantProbe) {
				t.Errorf("probe = %v, want %v", h.probeTimestamp, tt.wantProbe)
			}
			if g != tt.wantGrace {
				t.Errorf("grace = %v, want %v", g, tt.wantGrace)
			}
			if observed.Status != tt.wantStatus {
				t.Errorf("observed = %v, want %v", observed.Status, tt.wantStatus)
			}
		})
	}
}

func TestObserveKeepsTransitionTime(t *testing.T) {
	now := at(10 * time.Minute)
	saved := &nodeHealth{probeTimestamp: at(0), readyTransitionTimestamp: at(0), status: &readyNode(corev1.ConditionTrue, at(0)).Status}
	node := readyNode(corev1.ConditionTrue, at(time.Minute))
	h, _, _ := observe(saved, node, nil, now, time.Minute, time.Minute)
	if want := at(0); !h.readyTransitionTimestamp.Equal(&want) {
		t.Errorf("same transition: readyTransition = %v, want %v", h.readyTransitionTimestamp, want)
	}
	node.Status.Conditions[0].LastTransitionTime = at(time.Minute)
	h, _, _ = observe(saved, node, nil, now, time.Minute, time.Minute)
	if !h.readyTransitionTimestamp.Equal(&now) {
		t.Errorf("new transition: readyTransition = %v, want now", h.readyTransitionTimestamp)
	}
}

func TestMarkUnknown(t *testing.T) {
	now := at(time.Hour)
	node := readyNode(corev1.ConditionTrue, at(0))
	node.Status.Conditions = append(node.Status.Conditions,
		corev1.NodeCondition{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionUnknown, Reason: "Old", LastTransitionTime: at(0)},
		corev1.NodeCondition{Type: corev1.NodeNetworkUnavailable, Status: corev1.ConditionFalse})
	markUnknown(node, now)
	tests := []struct {
		typ            corev1.NodeConditionType
		status         corev1.ConditionStatus
		reason, msg    string
		transitionTime metav1.Time
	}{
		{corev1.NodeReady, corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", now},
		{corev1.NodeMemoryPressure, corev1.ConditionUnknown, "Old", "", at(0)},
		{corev1.NodeDiskPressure, corev1.ConditionUnknown, "NodeStatusNeverUpdated", "Kubelet never posted node status.", now},
		{corev1.NodePIDPressure, corev1.ConditionUnknown, "NodeStatusNeverUpdated", "Kubelet never posted node status.", now},
		{corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "", "", metav1.Time{}},
	}
	for _, tt := range tests {
		c := nodeCondition(&node.Status, tt.typ)
		if c == nil || c.Status != tt.status || c.Reason != tt.reason || c.Message != tt.msg || !c.LastTransitionTime.Equal(&tt.transitionTime) {
			t.Errorf("%s = %+v, want %s/%s/%q at %v", tt.typ, c, tt.status, tt.reason, tt.msg, tt.transitionTime)
		}
	}
}
