package defaultpreemption

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	fwk "k8s.io/kube-scheduler/framework"
)

func TestEvaluate(t *testing.T) {
	never := corev1.PreemptNever
	tests := []struct {
		name        string
		nodes       []*corev1.Node
		pods        []*corev1.Pod // bound pods
		pdbs        []*policyv1.PodDisruptionBudget
		preemptor   *corev1.Pod
		m           fwk.NodeToStatusReader
		wantNode    string
		wantVictims []string
		wantPDB     int64
		wantCode    fwk.Code
		wantMsg     string
		wantClear   bool // result clears nominatedNodeName
	}{
		{
			name:        "one full node, one lower-priority victim",
			nodes:       []*corev1.Node{cpuNode("n1", "1")},
			pods:        []*corev1.Pod{prePod("low", "n1", 0, "1")},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n1",
			wantVictims: []string{"low"},
		},
		{
			name:      "preemptionPolicy Never",
			nodes:     []*corev1.Node{cpuNode("n1", "1")},
			pods:      []*corev1.Pod{prePod("low", "n1", 0, "1")},
			preemptor: func() *corev1.Pod { p := prePod("high", "", 100, "1"); p.Spec.PreemptionPolicy = &never; return p }(),
			wantCode:  fwk.Unschedulable,
			wantMsg:   "not eligible due to preemptionPolicy=Never.",
		},
		{
			name:      "no lower-priority pods anywhere",
			nodes:     []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1"), cpuNode("n3", "1")},
			pods:      []*corev1.Pod{prePod("a", "n1", 100, "1"), prePod("b", "n2", 200, "1"), prePod("c", "n3", 100, "1")},
			preemptor: prePod("high", "", 100, "1"),
			wantCode:  fwk.Unschedulable,
			wantMsg:   "0/3 nodes are available: 3 No preemption victims found for incoming pod.",
			wantClear: true,
		},
		{
			name:  "unresolvable nodes are not candidates",
			nodes: []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1")},
			pods:  []*corev1.Pod{prePod("a", "n1", 0, "1"), prePod("b", "n2", 0, "1")},
			m: statusReader{byNode: map[string]*fwk.Status{"n1": fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")},
				absent: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n1",
			wantVictims: []string{"a"},
		},
		{
			name:      "all nodes unresolvable",
			nodes:     []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1")},
			pods:      []*corev1.Pod{prePod("a", "n1", 0, "1")},
			m:         statusReader{absent: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "x")},
			preemptor: prePod("high", "", 100, "1"),
			wantCode:  fwk.Unschedulable,
			wantMsg:   "0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
			wantClear: true,
		},
		{
			name:  "too big even after evicting everything",
			nodes: []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "2")},
			pods:  []*corev1.Pod{prePod("a", "n1", 0, "1"), prePod("b", "n2", 50, "1"), prePod("c", "n2", 200, "1")},
			// n1 is too small; on n2 the priority-200 pod stays.
			preemptor: prePod("high", "", 100, "2"),
			wantCode:  fwk.Unschedulable,
			wantMsg:   "0/2 nodes are available: 2 Insufficient cpu.",
			wantClear: true,
		},
		{
			name:        "only as many victims as needed, least important first",
			nodes:       []*corev1.Node{cpuNode("n1", "3")},
			pods:        []*corev1.Pod{started(prePod("old", "n1", 0, "1"), time.Hour), started(prePod("new", "n1", 0, "1"), time.Minute), prePod("mid", "n1", 10, "1")},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n1",
			wantVictims: []string{"new"},
		},
		{
			name:        "victims listed most important first",
			nodes:       []*corev1.Node{cpuNode("n1", "3")},
			pods:        []*corev1.Pod{prePod("p0", "n1", 0, "1"), prePod("p20", "n1", 20, "1"), prePod("p10", "n1", 10, "1")},
			preemptor:   prePod("high", "", 100, "3"),
			wantNode:    "n1",
			wantVictims: []string{"p20", "p10", "p0"},
		},
		{
			name:        "node with the lowest highest-priority victim",
			nodes:       []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1"), cpuNode("n3", "1")},
			pods:        []*corev1.Pod{prePod("a", "n1", 30, "1"), prePod("b", "n2", 10, "1"), prePod("c", "n3", 20, "1")},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n2",
			wantVictims: []string{"b"},
		},
		{
			name:        "fewest PDB violations first",
			nodes:       []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1")},
			pods:        []*corev1.Pod{labelled(prePod("a", "n1", 0, "1"), "app", "db"), labelled(prePod("b", "n2", 50, "1"), "app", "web")},
			pdbs:        []*policyv1.PodDisruptionBudget{pdb("db", map[string]string{"app": "db"}, 0)},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n2",
			wantVictims: []string{"b"},
		},
		{
			name:        "PDB with room allows the eviction",
			nodes:       []*corev1.Node{cpuNode("n1", "1"), cpuNode("n2", "1")},
			pods:        []*corev1.Pod{labelled(prePod("a", "n1", 0, "1"), "app", "db"), labelled(prePod("b", "n2", 50, "1"), "app", "web")},
			pdbs:        []*policyv1.PodDisruptionBudget{pdb("db", map[string]string{"app": "db"}, 1)},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n1",
			wantVictims: []string{"a"},
		},
		{
			name:        "only PDB-violating candidates",
			nodes:       []*corev1.Node{cpuNode("n1", "1")},
			pods:        []*corev1.Pod{labelled(prePod("a", "n1", 0, "1"), "app", "db")},
			pdbs:        []*policyv1.PodDisruptionBudget{pdb("db", map[string]string{"app": "db"}, 0)},
			preemptor:   prePod("high", "", 100, "1"),
			wantNode:    "n1",
			wantVictims: []string{"a"},
			wantPDB:     1,
		},
		{
			name:        "fewest victims",
			nodes:       []*corev1.Node{cpuNode("n1", "2"), cpuNode("n2", "2")},
			pods:        []*corev1.Pod{prePod("a1", "n1", 0, "1"), prePod("a2", "n1", 0, "1"), prePod("b1", "n2", 0, "2")},
			preemptor:   prePod("high", "", 100, "2"),
			wantNode:    "n2",
			wantVictims: []string{"b1"},
		},
		{
			name:  "terminating victim on the nominated node",
			nodes: []*corev1.Node{cpuNode("n1", "1")},
			pods: []*corev1.Pod{func() *corev1.Pod {
				p := prePod("low", "n1", 0, "1")
				now := metav1.NewTime(testNow)
				p.DeletionTimestamp = &now
				p.Status.Conditions = []corev1.PodCondition{{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue, Reason: corev1.PodReasonPreemptionByScheduler}}
				return p
			}()},
			preemptor: func() *corev1.Pod { p := prePod("high", "", 100, "1"); p.Status.NominatedNodeName = "n1"; return p }(),
			wantCode:  fwk.Unschedulable,
			wantMsg:   "not eligible due to a terminating pod on the nominated node.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, h := newTestPlugin(t, tt.nodes, append(slices.Clone(tt.pods), tt.preemptor), tt.pdbs)
			m := tt.m
			if m == nil {
				m = allUnschedulable
			}
			c, res, s := pl.evaluate(context.Background(), h.cycleFor(t, tt.preemptor), tt.preemptor, m)
			if tt.wantNode == "" {
				if s.Code() != tt.wantCode || s.Message() != tt.wantMsg {
					t.Fatalf("status = %v %q, want %v %q", s.Code(), s.Message(), tt.wantCode, tt.wantMsg)
				}
				cleared := res != nil && res.Mode() == fwk.ModeOverride && res.NominatedNodeName == ""
				if cleared != tt.wantClear {
					t.Errorf("result = %+v, want clearing %v", res, tt.wantClear)
				}
				return
			}
			if !s.IsSuccess() {
				t.Fatalf("status = %v", s)
			}
			if c.node != tt.wantNode || !slices.Equal(names(c.victims), tt.wantVictims) || c.pdbViolations != tt.wantPDB {
				t.Errorf("candidate = %s %v (pdb %d), want %s %v (pdb %d)", c.node, names(c.victims), c.pdbViolations, tt.wantNode, tt.wantVictims, tt.wantPDB)
			}
		})
	}
}

func TestPostFilterPrefixesMessages(t *testing.T) {
	never := corev1.PreemptNever
	p := prePod("high", "", 100, "1")
	p.Spec.PreemptionPolicy = &never
	pl, h := newTestPlugin(t, []*corev1.Node{cpuNode("n1", "1")}, []*corev1.Pod{prePod("low", "n1", 0, "1"), p}, nil)
	res, s := pl.PostFilter(context.Background(), h.cycleFor(t, p), p, allUnschedulable)
	if res != nil || s.Code() != fwk.Unschedulable || s.Message() != "preemption: not eligible due to preemptionPolicy=Never." {
		t.Errorf("PostFilter = %v, %v %q", res, s.Code(), s.Message())
	}
}

func TestEvaluateMissingPreemptor(t *testing.T) {
	pl, h := newTestPlugin(t, []*corev1.Node{cpuNode("n1", "1")}, nil, nil)
	p := prePod("gone", "", 100, "1")
	if _, _, s := pl.evaluate(context.Background(), h.cycleFor(t, p), p, allUnschedulable); s.Code() != fwk.Error {
		t.Errorf("status = %v, want Error", s)
	}
}
