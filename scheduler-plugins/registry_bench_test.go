package schedulerplugins_test

import (
	"context"
	"fmt"
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

// BenchmarkDefaultProfileCycle runs the default profile's PreFilter, Filter (every node),
// PreScore and Score for one pod over 1000 nodes holding 5000 pods, as in the scheduler
// benchmark's steady state (the plugins' share of a scheduling cycle).
func BenchmarkDefaultProfileCycle(b *testing.B) {
	r := schedulerplugins.NewInTreeRegistry()
	cfg := &configv1.KubeSchedulerConfiguration{}
	config.SetDefaults(cfg, func(name string) bool { _, ok := r[name]; return ok })
	var nodes []*corev1.Node
	var pods []*corev1.Pod
	for i := range 1000 {
		name := fmt.Sprintf("node-%d", i)
		nodes = append(nodes, pt.MakeNode(name).Label(corev1.LabelTopologyZone, fmt.Sprintf("z%d", i%3)).
			Capacity(map[string]string{"cpu": "32", "memory": "64Gi", "pods": "110"}).Obj())
		for j := range 5 {
			pods = append(pods, pt.MakePod(fmt.Sprintf("p-%d-%d", i, j)).Label("app", "bench").Node(name).
				Req(map[string]string{"cpu": "100m", "memory": "100Mi"}).Obj())
		}
	}
	snap := nodeinfo.NewSnapshot(pods, nodes)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	factory := informers.NewSharedInformerFactory(fake.NewClientset(), time.Hour)
	f, err := runtime.NewFramework(ctx, r, &cfg.Profiles[0], runtime.WithSnapshotSharedLister(snap), runtime.WithInformerFactory(factory), runtime.WithParallelism(1))
	if err != nil {
		b.Fatal(err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	defer cancel()
	factory.WaitForCacheSync(ctx.Done())
	all, _ := snap.NodeInfos().List()
	pod := pt.MakePod("new").Label("app", "bench").Req(map[string]string{"cpu": "100m", "memory": "100Mi"}).Obj()
	feasible := make([]fwk.NodeInfo, 0, len(all))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		cs := cyclestate.New()
		if _, st, _ := f.RunPreFilterPlugins(ctx, cs, pod); !st.IsSuccess() {
			b.Fatal(st)
		}
		feasible = feasible[:0]
		for _, ni := range all {
			if st := f.RunFilterPlugins(ctx, cs, pod, ni); st.IsSuccess() {
				feasible = append(feasible, ni)
			}
		}
		if st := f.RunPreScorePlugins(ctx, cs, pod, feasible); !st.IsSuccess() {
			b.Fatal(st)
		}
		if _, st := f.RunScorePlugins(ctx, cs, pod, feasible); !st.IsSuccess() {
			b.Fatal(st)
		}
	}
}
