package cache

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func node(name, zone string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelTopologyZone: zone}},
		Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4")}}}
}

func pod(name, nodeName, cpu string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name)},
		Spec: corev1.PodSpec{NodeName: nodeName, Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}}}
}

func requested(t *testing.T, s *nodeinfo.Snapshot, name string) int64 {
	t.Helper()
	ni, err := s.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	return ni.GetRequested().GetMilliCPU()
}

func TestAssumeConfirmForgetExpire(t *testing.T) {
	logger := klog.Background()
	clk := clocktesting.NewFakeClock(time.Now())
	c := New(clk, time.Minute)
	c.AddNode(logger, node("n1", "a"))
	s := nodeinfo.NewEmptySnapshot()

	p := pod("p", "n1", "1")
	if err := c.AssumePod(logger, p); err != nil {
		t.Fatal(err)
	}
	if err := c.AssumePod(logger, p); err == nil {
		t.Error("assuming twice should fail")
	}
	if err := c.UpdateSnapshot(s); err != nil {
		t.Fatal(err)
	}
	if got := requested(t, s, "n1"); got != 1000 {
		t.Errorf("requested after assume = %d", got)
	}
	if err := c.ForgetPod(logger, p); err != nil {
		t.Fatal(err)
	}
	_ = c.UpdateSnapshot(s)
	if got := requested(t, s, "n1"); got != 0 {
		t.Errorf("requested after forget = %d", got)
	}

	// Assume, finish binding, then the informer confirms: no longer assumed, never expires.
	_ = c.AssumePod(logger, p)
	_ = c.FinishBinding(logger, p)
	if err := c.AddPod(logger, p); err != nil {
		t.Fatal(err)
	}
	if c.IsAssumedPod(p) {
		t.Error("confirmed pod still assumed")
	}
	clk.Step(2 * time.Minute)
	c.cleanupExpired(logger, clk.Now())
	if _, pods, _ := c.Counts(); pods != 1 {
		t.Errorf("confirmed pod expired: %d pods", pods)
	}

	// An assumed pod whose binding finished but is never confirmed expires after the TTL.
	q := pod("q", "n1", "1")
	_ = c.AssumePod(logger, q)
	c.cleanupExpired(logger, clk.Now())
	if !c.IsAssumedPod(q) {
		t.Error("pod still binding must not expire")
	}
	_ = c.FinishBinding(logger, q)
	clk.Step(30 * time.Second)
	c.cleanupExpired(logger, clk.Now())
	if !c.IsAssumedPod(q) {
		t.Error("expired before TTL")
	}
	clk.Step(31 * time.Second)
	c.cleanupExpired(logger, clk.Now())
	if c.IsAssumedPod(q) {
		t.Error("not expired after TTL")
	}
	_ = c.UpdateSnapshot(s)
	if got := requested(t, s, "n1"); got != 1000 {
		t.Errorf("requested = %d, want only the confirmed pod", got)
	}
}

func TestSnapshotIncremental(t *testing.T) {
	logger := klog.Background()
	c := New(clocktesting.NewFakeClock(time.Now()), 0)
	for _, n := range []*corev1.Node{node("a1", "a"), node("a2", "a"), node("b1", "b")} {
		c.AddNode(logger, n)
	}
	s := nodeinfo.NewEmptySnapshot()
	if err := c.UpdateSnapshot(s); err != nil {
		t.Fatal(err)
	}
	list, _ := s.List()
	var names []string
	for _, n := range list {
		names = append(names, n.Node().Name)
	}
	if len(names) != 3 || names[0] != "a1" || names[1] != "b1" || names[2] != "a2" {
		t.Errorf("order = %v, want zones interleaved [a1 b1 a2]", names)
	}
	before := list[0]

	// A pod on an existing node updates that NodeInfo in place.
	_ = c.AddPod(logger, pod("p", "a1", "500m"))
	_ = c.UpdateSnapshot(s)
	if before.GetRequested().GetMilliCPU() != 500 {
		t.Errorf("list entry not updated in place: %d", before.GetRequested().GetMilliCPU())
	}

	// A pod on an unknown node does not add a node to the snapshot.
	_ = c.AddPod(logger, pod("q", "ghost", "1"))
	if err := c.UpdateSnapshot(s); err != nil {
		t.Fatal(err)
	}
	if s.NumNodes() != 3 {
		t.Errorf("nodes = %d", s.NumNodes())
	}

	// Removing a node with pods drops it from the snapshot.
	c.RemoveNode(logger, node("a1", "a"))
	if err := c.UpdateSnapshot(s); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("a1"); err == nil || s.NumNodes() != 2 {
		t.Errorf("a1 still in snapshot (%d nodes)", s.NumNodes())
	}
	// Its pod can still be removed.
	if err := c.RemovePod(logger, pod("p", "a1", "500m")); err != nil {
		t.Error(err)
	}
	// Update of node labels keeps it.
	n := node("b1", "b")
	n.Labels["x"] = "y"
	c.UpdateNode(logger, node("b1", "b"), n)
	_ = c.UpdateSnapshot(s)
	ni, _ := s.Get("b1")
	if ni.Node().Labels["x"] != "y" {
		t.Error("node update not in snapshot")
	}
}
