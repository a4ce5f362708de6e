package defaultpreemption

import (
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func TestPickNode(t *testing.T) {
	p := func(name string, prio int32, ago time.Duration) *corev1.Pod {
		pod := prePod(name, "n", prio, "1")
		if ago > 0 {
			started(pod, ago)
		}
		return pod
	}
	tests := []struct {
		name       string
		candidates []*candidate
		want       string
	}{
		{"fewest PDB violations", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", 0, 0)}, pdbViolations: 1},
			{node: "b", victims: []*corev1.Pod{p("y", 100, 0), p("z", 100, 0)}},
		}, "b"},
		{"lowest highest priority", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", 10, 0)}},
			{node: "b", victims: []*corev1.Pod{p("y", 5, 0), p("z", 5, 0)}},
		}, "b"},
		{"smallest sum of priorities", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", 10, 0), p("y", 9, 0)}},
			{node: "b", victims: []*corev1.Pod{p("z", 10, 0), p("w", 1, 0)}},
		}, "b"},
		{"negative priorities: fewer pods win", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", -10, 0), p("y", -10, 0)}},
			{node: "b", victims: []*corev1.Pod{p("z", -10, 0)}},
		}, "b"},
		{"fewest victims", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", 0, 0), p("y", 0, 0)}},
			{node: "b", victims: []*corev1.Pod{p("z", 0, 0)}},
			{node: "c", victims: []*corev1.Pod{p("w", 0, 0), p("v", 0, 0), p("u", 0, 0)}},
		}, "b"},
		{"latest start time of the highest-priority victims", []*candidate{
			{node: "a", victims: []*corev1.Pod{p("x", 5, time.Hour)}},
			{node: "b", victims: []*corev1.Pod{p("y", 5, time.Minute)}},
			{node: "c", victims: []*corev1.Pod{p("z", 5, 2*time.Hour)}},
		}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]*candidate{}
			for _, c := range tt.candidates {
				m[c.node] = c
			}
			if got := pickNode(klog.Background(), testNow, m); got != tt.want {
				t.Errorf("pickNode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEarliestStartTime(t *testing.T) {
	victims := []*corev1.Pod{
		started(prePod("a", "n", 10, "1"), time.Minute),
		started(prePod("b", "n", 10, "1"), time.Hour),
		started(prePod("c", "n", 5, "1"), 3*time.Hour), // lower priority: ignored
	}
	if got, want := earliestStartTime(victims, testNow), testNow.Add(-time.Hour); !got.Equal(want) {
		t.Errorf("earliestStartTime = %v, want %v", got, want)
	}
	unstarted := []*corev1.Pod{prePod("a", "n", 0, "1")}
	if got := earliestStartTime(unstarted, testNow); !got.Equal(testNow) {
		t.Errorf("unstarted pods count as starting now, got %v", got)
	}
}

func TestSplitByPDBViolation(t *testing.T) {
	pi := func(p *corev1.Pod) fwk.PodInfo { i, _ := nodeinfo.NewPodInfo(p); return i }
	db1 := labelled(prePod("db1", "n", 0, "1"), "app", "db")
	db2 := labelled(prePod("db2", "n", 0, "1"), "app", "db")
	web := labelled(prePod("web", "n", 0, "1"), "app", "web")
	other := labelled(prePod("db3", "n", 0, "1"), "app", "db")
	other.Namespace = "other"
	tests := []struct {
		name          string
		pdbs          []*policyv1.PodDisruptionBudget
		wantViolating []string
	}{
		{"no PDBs", nil, nil},
		{"one disruption allowed: the second violates", []*policyv1.PodDisruptionBudget{pdb("db", map[string]string{"app": "db"}, 1)}, []string{"db2"}},
		{"already disrupted pods don't count", []*policyv1.PodDisruptionBudget{pdb("db", map[string]string{"app": "db"}, 0, "db1")}, []string{"db2"}},
		{"empty selector matches nothing", []*policyv1.PodDisruptionBudget{pdb("all", map[string]string{}, 0)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, nv := splitByPDBViolation([]fwk.PodInfo{pi(db1), pi(db2), pi(web), pi(other)}, tt.pdbs)
			var got []string
			for _, p := range v {
				got = append(got, p.GetPod().Name)
			}
			if !slices.Equal(got, tt.wantViolating) || len(v)+len(nv) != 4 {
				t.Errorf("violating = %v (+%d others), want %v", got, len(nv), tt.wantViolating)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name    string
		in      *configv1.DefaultPreemptionArgs
		wantErr string
		nodes   int32
		wantNum int32
	}{
		{name: "defaults, few nodes", nodes: 50, wantNum: 50},
		{name: "defaults, many nodes", nodes: 5000, wantNum: 500},
		{name: "defaults, absolute floor", nodes: 500, wantNum: 100},
		{name: "custom", in: &configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: ptr.To[int32](50), MinCandidateNodesAbsolute: ptr.To[int32](1)}, nodes: 10, wantNum: 5},
		{name: "percentage out of range", in: &configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: ptr.To[int32](101)}, wantErr: "minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]"},
		{name: "negative absolute", in: &configv1.DefaultPreemptionArgs{MinCandidateNodesAbsolute: ptr.To[int32](-1)}, wantErr: "not in valid range [0, inf)"},
		{name: "both zero", in: &configv1.DefaultPreemptionArgs{MinCandidateNodesPercentage: ptr.To[int32](0), MinCandidateNodesAbsolute: ptr.To[int32](0)}, wantErr: "cannot be zero at the same time as minCandidateNodesAbsolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obj *configv1.DefaultPreemptionArgs = tt.in
			a, err := parseArgs(obj)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := a.numCandidates(tt.nodes); got != tt.wantNum {
				t.Errorf("numCandidates(%d) = %d, want %d", tt.nodes, got, tt.wantNum)
			}
		})
	}
}
