package noderesources

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

type scoreCase struct {
	name     string
	args     runtime.Object
	pod      *pt.PodWrapper
	nodes    []*pt.NodeWrapper
	existing []*corev1.Pod
	want     fwk.NodeScoreList
	wantSkip bool
}

func runScore(t *testing.T, newPlugin func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error), tests []scoreCase) {
	t.Helper()
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := newPlugin(ctx, tt.args, nil)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(interface {
				fwk.PreScorePlugin
				fwk.ScorePlugin
			})
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			st := pl.PreScore(ctx, cs, pod, nil)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreScore = %v, want Skip", st)
				}
				return
			}
			if !st.IsSuccess() {
				t.Fatal(st)
			}
			var got, gotNoState fwk.NodeScoreList
			for _, n := range tt.nodes {
				var pods []*corev1.Pod
				for _, e := range tt.existing {
					if e.Spec.NodeName == n.Name {
						pods = append(pods, e)
					}
				}
				ni := pt.NodeInfo(n.Obj(), pods...)
				s, st := pl.Score(ctx, cs, pod, ni)
				if !st.IsSuccess() {
					t.Fatal(st)
				}
				got = append(got, fwk.NodeScore{Name: n.Name, Score: s})
				s, _ = pl.Score(ctx, cyclestate.New(), pod, ni)
				gotNoState = append(gotNoState, fwk.NodeScore{Name: n.Name, Score: s})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, gotNoState); diff != "" {
				t.Errorf("scores without PreScore (-want +got):\n%s", diff)
			}
		})
	}
}

func cpuMem(cpu, mem string) map[string]string { return map[string]string{"cpu": cpu, "memory": mem} }

var (
	// 1+2 cpu, 2000+3000 bytes.
	podCPU3Mem5000 = func() *pt.PodWrapper {
		return pt.MakePod("p").Req(cpuMem("1", "2000")).Req(cpuMem("2", "3000"))
	}
	small = func() []*pt.NodeWrapper {
		return []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(cpuMem("4", "10000")), pt.MakeNode("n2").Capacity(cpuMem("6", "10000"))}
	}
)

func strategy(t configv1.ScoringStrategyType, resources []configv1.ResourceSpec, shape ...configv1.UtilizationShapePoint) *configv1.NodeResourcesFitArgs {
	s := &configv1.ScoringStrategy{Type: t, Resources: resources}
	if shape != nil {
		s.RequestedToCapacityRatio = &configv1.RequestedToCapacityRatioParam{Shape: shape}
	}
	return &configv1.NodeResourcesFitArgs{ScoringStrategy: s}
}

func TestFitScore(t *testing.T) {
	big := []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(cpuMem("10", "20000")), pt.MakeNode("n2").Capacity(cpuMem("10", "20000"))}
	cpuHeavy := []configv1.ResourceSpec{{Name: "cpu", Weight: 3}, {Name: "memory", Weight: 1}}
	binPack := []configv1.UtilizationShapePoint{{Utilization: 0, Score: 0}, {Utilization: 100, Score: 10}}
	spread := []configv1.UtilizationShapePoint{{Utilization: 0, Score: 10}, {Utilization: 100, Score: 0}}
	runScore(t, NewFit, []scoreCase{
		// n1: cpu (4-3)/4 = 25, memory (10000-5000)/10000 = 50 -> 37; n2: 50, 50 -> 50.
		{name: "least allocated by default", pod: podCPU3Mem5000(), nodes: small(),
			want: fwk.NodeScoreList{{Name: "n1", Score: 37}, {Name: "n2", Score: 50}}},
		// n1: cpu (10-6)/10 = 40, memory 15000/20000 = 75 -> 57; n2: 40, 10000/20000 = 50 -> 45.
		{name: "least allocated with pods on the nodes", pod: podCPU3Mem5000(), nodes: big,
			existing: []*corev1.Pod{pt.MakePod("e1").Node("n1").Req(cpuMem("3", "0")).Obj(), pt.MakePod("e2").Node("n2").Req(cpuMem("3", "5000")).Obj()},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 57}, {Name: "n2", Score: 45}}},
		// Missing requests count as 100m and 200Mi: cpu 900/1000 = 90, memory (1Gi-200Mi)/1Gi = 80 -> 85.
		{name: "missing requests count as defaults", pod: pt.MakePod("p").Container("image", nil),
			nodes: []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(cpuMem("1", "1Gi"))},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 85}}},
		// n1: cpu 75, memory 50 -> 62; n2: 50, 50 -> 50.
		{name: "most allocated", args: strategy(configv1.MostAllocated, nil), pod: podCPU3Mem5000(), nodes: small(),
			want: fwk.NodeScoreList{{Name: "n1", Score: 62}, {Name: "n2", Score: 50}}},
		// n1: (75*3 + 50) / 4 = 68; n2: 50.
		{name: "most allocated, weighted", args: strategy(configv1.MostAllocated, cpuHeavy), pod: podCPU3Mem5000(), nodes: small(),
			want: fwk.NodeScoreList{{Name: "n1", Score: 68}, {Name: "n2", Score: 50}}},
		// n1: utilisation 75 and 50 -> round(125/2) = 63; n2: 50.
		{name: "requested to capacity ratio, bin packing", args: strategy(configv1.RequestedToCapacityRatio, nil, binPack...), pod: podCPU3Mem5000(), nodes: small(),
			want: fwk.NodeScoreList{{Name: "n1", Score: 63}, {Name: "n2", Score: 50}}},
		// n1: 25 and 50 -> round(37.5) = 38; n2: 50.
		{name: "requested to capacity ratio, spreading", args: strategy(configv1.RequestedToCapacityRatio, nil, spread...), pod: podCPU3Mem5000(), nodes: small(),
			want: fwk.NodeScoreList{{Name: "n1", Score: 38}, {Name: "n2", Score: 50}}},
		// The gpu isn't requested, so only cpu counts: (4-1)/4 = 75.
		{name: "unrequested extended resource is left out", args: strategy(configv1.LeastAllocated, []configv1.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "example.com/gpu", Weight: 1}}),
			pod:   pt.MakePod("p").Req(map[string]string{"cpu": "1"}),
			nodes: []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(map[string]string{"cpu": "4", "example.com/gpu": "4"})},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 75}}},
		// cpu 75, gpu (4-1-1)/4 = 50 -> 62; a node without gpus scores on cpu alone.
		{name: "requested extended resource", args: strategy(configv1.LeastAllocated, []configv1.ResourceSpec{{Name: "cpu", Weight: 1}, {Name: "example.com/gpu", Weight: 1}}),
			pod: pt.MakePod("p").Req(map[string]string{"cpu": "1", "example.com/gpu": "1"}),
			nodes: []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(map[string]string{"cpu": "4", "example.com/gpu": "4"}),
				pt.MakeNode("n2").Capacity(map[string]string{"cpu": "4"})},
			existing: []*corev1.Pod{pt.MakePod("e").Node("n1").Req(map[string]string{"cpu": "0", "example.com/gpu": "1"}).Obj()},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 62}, {Name: "n2", Score: 75}}},
	})
}

func TestBalancedAllocationScore(t *testing.T) {
	nodes := []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(cpuMem("4", "4Gi")), pt.MakeNode("n2").Capacity(cpuMem("4", "4Gi"))}
	runScore(t, NewBalancedAllocation, []scoreCase{
		{name: "best-effort pod: Skip", pod: pt.MakePod("p").Container("image", nil), nodes: nodes, wantSkip: true},
		// n1 with the pod: 3/4 and 4/4 -> std .125 -> 87; without: 1/4, 3/4 -> 75; 50 + (50+87-75)/2 = 81.
		// n2 with: 2/4, 1/4 -> 87; without: 100; 50 + (50+87-100)/2 = 68.
		{name: "improving the balance scores higher", pod: pt.MakePod("p").Req(cpuMem("2", "1Gi")), nodes: nodes,
			existing: []*corev1.Pod{pt.MakePod("e").Node("n1").Req(cpuMem("1", "3Gi")).Obj()},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 81}, {Name: "n2", Score: 68}}},
		// Fractions .5, .25, .5: std .1179 -> 88; without: 100; 50 + (50+88-100)/2 = 69.
		{name: "three resources", args: &configv1.NodeResourcesBalancedAllocationArgs{Resources: []configv1.ResourceSpec{{Name: "cpu"}, {Name: "memory"}, {Name: "example.com/gpu"}}},
			pod:   pt.MakePod("p").Req(map[string]string{"cpu": "2", "memory": "1Gi", "example.com/gpu": "1"}),
			nodes: []*pt.NodeWrapper{pt.MakeNode("n1").Capacity(map[string]string{"cpu": "4", "memory": "4Gi", "example.com/gpu": "2"})},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 69}}},
	})
}
