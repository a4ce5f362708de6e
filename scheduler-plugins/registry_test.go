package schedulerplugins_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/config"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	"github.com/skiff-sh/skiff/scheduler/runtime"
)

func TestRegistryNames(t *testing.T) {
	r := schedulerplugins.NewInTreeRegistry()
	for _, name := range []string{"DefaultBinder", "ImageLocality", "InterPodAffinity", "NodeAffinity", "NodeName", "NodePorts",
		"NodeResourcesBalancedAllocation", "NodeResourcesFit", "NodeUnschedulable", "PodTopologySpread",
		"PrioritySort", "SchedulingGates", "TaintToleration"} {
		if r[name] == nil {
			t.Errorf("registry has no %s", name)
		}
	}
}

// TestDefaultProfile builds upstream's default profile from the registry with the runtime and
// runs one scheduling cycle's filter and score phases.
func TestDefaultProfile(t *testing.T) {
	r := schedulerplugins.NewInTreeRegistry()
	cfg := &configv1.KubeSchedulerConfiguration{}
	config.SetDefaults(cfg, func(name string) bool { _, ok := r[name]; return ok })

	const zone = corev1.LabelTopologyZone
	nodes := []*corev1.Node{
		pt.MakeNode("tainted").Label(zone, "a").Capacity(map[string]string{"cpu": "8", "memory": "8Gi", "pods": "110"}).
			Taint("dedicated", "db", corev1.TaintEffectNoSchedule).Obj(),
		pt.MakeNode("full").Label(zone, "a").Capacity(map[string]string{"cpu": "4", "memory": "8Gi", "pods": "110"}).Obj(),
		pt.MakeNode("busy").Label(zone, "b").Capacity(map[string]string{"cpu": "8", "memory": "8Gi", "pods": "110"}).Obj(),
		pt.MakeNode("idle").Label(zone, "b").Capacity(map[string]string{"cpu": "8", "memory": "8Gi", "pods": "110"}).Obj(),
	}
	existing := []*corev1.Pod{
		pt.MakePod("big").Node("full").Req(map[string]string{"cpu": "3", "memory": "1Gi"}).Obj(),
		pt.MakePod("some").Node("busy").Req(map[string]string{"cpu": "4", "memory": "4Gi"}).Obj(),
	}
	snap := nodeinfo.NewSnapshot(existing, nodes)

	ctx, cancel := context.WithCancel(context.Background())
	factory := informers.NewSharedInformerFactory(fake.NewClientset(), time.Hour)
	f, err := runtime.NewFramework(ctx, r, &cfg.Profiles[0], runtime.WithSnapshotSharedLister(snap), runtime.WithInformerFactory(factory), runtime.WithParallelism(4))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	t.Cleanup(func() { cancel(); factory.Shutdown() })
	factory.WaitForCacheSync(ctx.Done())

	pod := pt.MakePod("p").Req(map[string]string{"cpu": "2", "memory": "1Gi"}).Obj()
	if st := f.RunPreEnqueuePlugins(ctx, pod); !st.IsSuccess() {
		t.Fatal(st)
	}
	cs := cyclestate.New()
	if _, st, _ := f.RunPreFilterPlugins(ctx, cs, pod); !st.IsSuccess() {
		t.Fatal(st)
	}
	all, _ := snap.NodeInfos().List()
	wantReject := map[string]string{
		"tainted": "node(s) had untolerated taint(s)",
		"full":    "Insufficient cpu",
	}
	var feasible []fwk.NodeInfo
	for _, ni := range all {
		st := f.RunFilterPlugins(ctx, cs, pod, ni)
		name := ni.Node().Name
		if st.IsSuccess() {
			feasible = append(feasible, ni)
			if wantReject[name] != "" {
				t.Errorf("%s passed Filter, want %q", name, wantReject[name])
			}
			continue
		}
		if st.Message() != wantReject[name] {
			t.Errorf("Filter(%s) = %q from %s, want %q", name, st.Message(), st.Plugin(), wantReject[name])
		}
	}
	if len(feasible) != 2 {
		t.Fatalf("%d feasible nodes, want 2", len(feasible))
	}
	if st := f.RunPreScorePlugins(ctx, cs, pod, feasible); !st.IsSuccess() {
		t.Fatal(st)
	}
	scores, st := f.RunScorePlugins(ctx, cs, pod, feasible)
	if !st.IsSuccess() {
		t.Fatal(st)
	}
	best := scores[0]
	for _, s := range scores[1:] {
		if s.TotalScore > best.TotalScore {
			best = s
		}
	}
	if best.Name != "idle" {
		t.Errorf("best node = %s (%+v), want idle", best.Name, scores)
	}
}
