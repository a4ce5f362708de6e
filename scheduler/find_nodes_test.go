package scheduler

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	fwruntime "github.com/skiff-sh/skiff/scheduler/runtime"
)

type unitPlugin struct{}

func (unitPlugin) Name() string                                                          { return "Unit" }
func (unitPlugin) Less(a, b fwk.QueuedEntityInfo) bool                                   { return false }
func (unitPlugin) Bind(context.Context, fwk.CycleState, *corev1.Pod, string) *fwk.Status { return nil }

// Filter rejects odd-numbered nodes.
func (unitPlugin) Filter(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) *fwk.Status {
	if ni.Node().Labels["odd"] == "true" {
		return fwk.NewStatus(fwk.Unschedulable, "node(s) were odd")
	}
	return nil
}

// Score prefers node-8.
func (unitPlugin) Score(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) (int64, *fwk.Status) {
	if ni.Node().Name == "node-8" {
		return 100, nil
	}
	return 10, nil
}
func (unitPlugin) ScoreExtensions() fwk.ScoreExtensions { return nil }

func unitScheduler(t testing.TB, numNodes int) (*Scheduler, *fwruntime.Framework) {
	t.Helper()
	var nodes []*corev1.Node
	for i := range numNodes {
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%d", i),
			Labels: map[string]string{"odd": fmt.Sprint(i%2 == 1)}}})
	}
	snap := nodeinfo.NewSnapshot(nil, nodes)
	reg := schedulerplugins.Registry{"Unit": func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error) { return unitPlugin{}, nil }}
	fw, err := fwruntime.NewFramework(context.Background(), reg, &configv1.KubeSchedulerProfile{
		SchedulerName: ptr.To("default-scheduler"),
		Plugins:       &configv1.Plugins{MultiPoint: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "Unit"}}}},
	}, fwruntime.WithSnapshotSharedLister(snap))
	if err != nil {
		t.Fatal(err)
	}
	return &Scheduler{snapshot: snap, clock: clock.RealClock{}, metrics: newMetrics()}, fw
}

func TestSchedulePodSamplesNodes(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	tests := []struct {
		nodes, wantFeasible, wantEvaluated int
		wantHost                           string
	}{
		// 20 nodes: all evaluated, node-8 wins on score.
		{nodes: 20, wantFeasible: 10, wantEvaluated: 20, wantHost: "node-8"},
		// 1000 nodes: adaptive 42% means 420 feasible are enough; at least 839 are evaluated to
		// find them (a few more may be, as filtering runs in parallel).
		{nodes: 1000, wantFeasible: 420, wantEvaluated: 839, wantHost: "node-8"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.nodes), func(t *testing.T) {
			s, fw := unitScheduler(t, tt.nodes)
			res, err := s.schedulePod(context.Background(), fw, cyclestate.New(), pod)
			if err != nil {
				t.Fatal(err)
			}
			if res.FeasibleNodes != tt.wantFeasible || res.EvaluatedNodes < tt.wantEvaluated || res.EvaluatedNodes > tt.wantEvaluated+32 || res.SuggestedHost != tt.wantHost {
				t.Errorf("result = %+v, want feasible %d evaluated %d host %s", res, tt.wantFeasible, tt.wantEvaluated, tt.wantHost)
			}
			if want := res.EvaluatedNodes % tt.nodes; s.nextStartNodeIndex != want {
				t.Errorf("next start index = %d, want %d", s.nextStartNodeIndex, want)
			}
		})
	}
}

func TestSchedulePodNoFit(t *testing.T) {
	s, fw := unitScheduler(t, 3)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	// Mark every node odd by using a snapshot where all are odd.
	var nodes []*corev1.Node
	for i := range 3 {
		nodes = append(nodes, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("n%d", i), Labels: map[string]string{"odd": "true"}}})
	}
	s.snapshot = nodeinfo.NewSnapshot(nil, nodes)
	fw.SetSnapshotSharedLister(s.snapshot)
	_, err := s.schedulePod(context.Background(), fw, cyclestate.New(), pod)
	fe, ok := err.(*FitError)
	if !ok {
		t.Fatalf("err = %v, want FitError", err)
	}
	if got, want := fe.Error(), "0/3 nodes are available: 3 node(s) were odd."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if !fe.Diagnosis.UnschedulablePlugins.Has("Unit") {
		t.Errorf("unschedulable plugins = %v", fe.Diagnosis.UnschedulablePlugins)
	}
	s.snapshot = nodeinfo.NewEmptySnapshot()
	if _, err := s.schedulePod(context.Background(), fw, cyclestate.New(), pod); err != ErrNoNodesAvailable {
		t.Errorf("no nodes: err = %v", err)
	}
}

func TestSelectHostTies(t *testing.T) {
	scores := []fwk.NodePluginScores{{Name: "a", TotalScore: 5}, {Name: "b", TotalScore: 9}, {Name: "c", TotalScore: 9}, {Name: "d", TotalScore: 1}}
	seen := map[string]int{}
	for range 200 {
		seen[selectHost(scores)]++
	}
	if seen["a"]+seen["d"] != 0 || seen["b"] == 0 || seen["c"] == 0 {
		t.Errorf("picks = %v, want only b and c, both sometimes", seen)
	}
}

// BenchmarkSchedulePod5000Nodes measures one scheduling algorithm run over 5,000 nodes.
func BenchmarkSchedulePod5000Nodes(b *testing.B) {
	s, fw := unitScheduler(b, 5000)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	b.ResetTimer()
	for range b.N {
		if _, err := s.schedulePod(context.Background(), fw, cyclestate.New(), pod); err != nil {
			b.Fatal(err)
		}
	}
}
