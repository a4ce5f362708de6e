package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	"github.com/skiff-sh/skiff/scheduler/config"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	schedcache "github.com/skiff-sh/skiff/scheduler/internal/cache"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
	fwruntime "github.com/skiff-sh/skiff/scheduler/runtime"
)

// benchPod is schedbench's pod (hack/bench/schedbench/workload.go): 100m CPU, 128Mi, and for
// "spread" a zone spread constraint, for "antiaffinity" required anti-affinity per hostname
// within one of groups groups.
func benchPod(workload string, i, groups int) *corev1.Pod {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "bench", Name: fmt.Sprintf("pod-%06d", i), UID: types.UID(fmt.Sprintf("uid-%d", i)),
			Labels: map[string]string{"app": "bench"}},
		Spec: corev1.PodSpec{
			SchedulerName: "default-scheduler",
			Containers: []corev1.Container{{Name: "pause", Image: "registry.k8s.io/pause:3.10",
				Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
					corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")}}}},
		},
	}
	switch workload {
	case "spread":
		pod.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone, WhenUnsatisfiable: corev1.DoNotSchedule,
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "bench"}},
		}}
	case "antiaffinity":
		group := fmt.Sprintf("g%d", i%groups)
		pod.Labels["group"] = group
		pod.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
				TopologyKey:   corev1.LabelHostname,
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"group": group}},
			}},
		}}
	}
	return pod
}

func benchNode(i int) *corev1.Node {
	name := fmt.Sprintf("node-%d", i)
	alloc := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("32Gi"),
		corev1.ResourcePods: resource.MustParse("110")}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name,
			corev1.LabelTopologyZone: fmt.Sprintf("zone-%d", i%3)}},
		Status: corev1.NodeStatus{Capacity: alloc, Allocatable: alloc},
	}
}

// benchScheduler is a Scheduler with the in-tree default profile over a cache of numNodes
// nodes and no API behind it (pods are assumed, never bound).
func benchScheduler(b *testing.B, numNodes int) (*Scheduler, *fwruntime.Framework) {
	b.Helper()
	r := schedulerplugins.NewInTreeRegistry()
	cfg := config.Default(func(name string) bool { _, ok := r[name]; return ok })
	ctx, cancel := context.WithCancel(context.Background())
	factory := informers.NewSharedInformerFactory(fake.NewClientset(), time.Hour)
	s := &Scheduler{cache: schedcache.New(clock.RealClock{}, 0), snapshot: nodeinfo.NewEmptySnapshot(), clock: clock.RealClock{},
		metrics: newMetrics(), percentageOfNodesToScore: *cfg.PercentageOfNodesToScore}
	fw, err := fwruntime.NewFramework(ctx, r, &cfg.Profiles[0], fwruntime.WithSnapshotSharedLister(s.snapshot),
		fwruntime.WithInformerFactory(factory), fwruntime.WithParallelism(int(*cfg.Parallelism)))
	if err != nil {
		cancel()
		b.Fatal(err)
	}
	factory.Start(ctx.Done())
	factory.WaitForCacheSync(ctx.Done())
	b.Cleanup(func() { cancel(); factory.Shutdown() })
	for i := range numNodes {
		s.cache.AddNode(klog.Background(), benchNode(i))
	}
	return s, fw
}

// BenchmarkScheduleBacklog runs the scheduling cycle's work (snapshot update, PreFilter,
// Filter, Score, assume) for the pods of schedbench's backlog on 1,000 nodes, in the middle of
// the backlog: 5,000 of its pods are placed before the timer starts. An iteration is one pod,
// so ns/op is the cycle's cost and 1e9/(ns/op) the pods/s one scheduling goroutine could reach
// without the API.
func BenchmarkScheduleBacklog(b *testing.B) {
	const nodes, pods, placed = 1000, 10000, 5000
	groups := (pods + nodes/2 - 1) / (nodes / 2)
	for _, w := range []string{"plain", "spread", "antiaffinity"} {
		b.Run(w, func(b *testing.B) {
			ctx := context.Background()
			next := 0
			var s *Scheduler
			var fw *fwruntime.Framework
			one := func() {
				pod := benchPod(w, next, groups)
				next++
				if err := s.cache.UpdateSnapshot(s.snapshot); err != nil {
					b.Fatal(err)
				}
				res, err := s.schedulePod(ctx, fw, cyclestate.New(), pod)
				if err != nil {
					b.Fatalf("pod %d: %v", next, err)
				}
				pod.Spec.NodeName = res.SuggestedHost
				if err := s.cache.AssumePod(klog.Background(), pod); err != nil {
					b.Fatal(err)
				}
			}
			fresh := func() {
				s, fw = benchScheduler(b, nodes)
				for next = 0; next < placed; {
					one()
				}
			}
			fresh()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if next == pods {
					b.StopTimer()
					fresh()
					b.StartTimer()
				}
				one()
			}
		})
	}
}
