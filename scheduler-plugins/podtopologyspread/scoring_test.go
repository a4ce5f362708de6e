package podtopologyspread

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// scoreAll runs PreScore, Score and NormalizeScore over every node of snap.
func scoreAll(t *testing.T, pl *Plugin, snap *nodeinfo.Snapshot, pod *corev1.Pod) (fwk.NodeScoreList, *fwk.Status) {
	t.Helper()
	ctx := context.Background()
	nodes, _ := snap.NodeInfos().List()
	cs := cyclestate.New()
	if st := pl.PreScore(ctx, cs, pod, nodes); !st.IsSuccess() {
		return nil, st
	}
	var scores fwk.NodeScoreList
	for _, ni := range nodes {
		s, st := pl.Score(ctx, cs, pod, ni)
		if !st.IsSuccess() {
			t.Fatal(st)
		}
		scores = append(scores, fwk.NodeScore{Name: ni.Node().Name, Score: s})
	}
	if st := pl.NormalizeScore(ctx, cs, pod, scores); !st.IsSuccess() {
		t.Fatal(st)
	}
	return scores, nil
}

func TestScore(t *testing.T) {
	sa := corev1.ScheduleAnyway
	tests := []struct {
		name     string
		pod      *pt.PodWrapper
		nodes    []*corev1.Node
		existing []*corev1.Pod
		want     fwk.NodeScoreList
	}{
		{
			// weight log(3+2) = 1.609: raw n1 round(3.22) = 3, n2 2, n3 0; normalised 100*(3+0-s)/3.
			name:     "hostname",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, corev1.LabelHostname, sa, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n1"), fooPod("c", "n2")},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 0}, {Name: "n2", Score: 33}, {Name: "n3", Score: 100}},
		},
		{
			// 2 zones: weight log(4) = 1.386; zone a has 3 pods: round(4.16) = 4; zone b 1: 1.
			// Normalised 100*(4+1-s)/4: a 25, b 100.
			name:     "zone",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, zone, sa, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n1"), fooPod("c", "n2"), fooPod("d", "n3")},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 25}, {Name: "n2", Score: 25}, {Name: "n3", Score: 100}},
		},
		{
			// maxSkew 3 adds 2 to each raw score: n1 round(1.609+2) = 4, n2 and n3 2 -> 100*(6-s)/4.
			name:     "maxSkew waters down differences",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(3, corev1.LabelHostname, sa, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1")},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 50}, {Name: "n2", Score: 100}, {Name: "n3", Score: 100}},
		},
		{
			name:     "node without the key scores 0",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, zone, sa, "app", "foo"),
			nodes:    append(threeNodes(), pt.MakeNode("n4").Obj()),
			existing: []*corev1.Pod{fooPod("a", "n1")},
			// zones: a 1 -> round(1.386) = 1, b 0 -> 0; 100*(1-s)/1.
			want: fwk.NodeScoreList{{Name: "n1", Score: 0}, {Name: "n2", Score: 0}, {Name: "n3", Score: 100}, {Name: "n4", Score: 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := nodeinfo.NewSnapshot(tt.existing, tt.nodes)
			got, st := scoreAll(t, newPlugin(t, snap), snap, tt.pod.Obj())
			if !st.IsSuccess() {
				t.Fatal(st)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScoreSkip(t *testing.T) {
	snap := nodeinfo.NewSnapshot(nil, threeNodes())
	_, st := scoreAll(t, newPlugin(t, snap), snap, pt.MakePod("p").Spread(1, zone, corev1.DoNotSchedule, "app", "foo").Obj())
	if !st.IsSkip() {
		t.Errorf("PreScore = %v, want Skip for DoNotSchedule only", st)
	}
}

// systemDefaulted builds the plugin with System defaulting over a fake clientset's informers.
func systemDefaulted(t *testing.T, snap *nodeinfo.Snapshot, objs ...runtime.Object) *Plugin {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	factory := informers.NewSharedInformerFactory(fake.NewClientset(objs...), time.Hour)
	p, err := New(ctx, &configv1.PodTopologySpreadArgs{DefaultingType: configv1.SystemDefaulting}, &pt.Handle{Lister: snap, Informers: factory})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	factory.Start(ctx.Done())
	// Shutdown waits for the informers, which stop when ctx ends.
	t.Cleanup(func() { cancel(); factory.Shutdown() })
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			t.Fatalf("cache for %v not synced", typ)
		}
	}
	return p.(*Plugin)
}

func TestSystemDefaultConstraints(t *testing.T) {
	rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: "rs", Namespace: "default"},
		Spec: appsv1.ReplicaSetSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}}}}
	// Nodes without zone labels still get hostname spreading.
	nodes := []*corev1.Node{pt.MakeNode("n1").Obj(), pt.MakeNode("n2").Obj()}
	snap := nodeinfo.NewSnapshot([]*corev1.Pod{fooPod("a", "n1")}, nodes)
	pl := systemDefaulted(t, snap, rs)

	owned := pt.MakePod("p").Label("app", "foo").Owner("apps/v1", "ReplicaSet", "rs").Obj()
	// hostname weight log(4) = 1.386, maxSkew 3: n1 round(3.39) = 3, n2 2; 100*(5-s)/3.
	got, st := scoreAll(t, pl, snap, owned)
	if !st.IsSuccess() {
		t.Fatal(st)
	}
	want := fwk.NodeScoreList{{Name: "n1", Score: 66}, {Name: "n2", Score: 100}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}

	// A pod no service or controller selects has no default constraints.
	if _, st := scoreAll(t, pl, snap, pt.MakePod("q").Label("app", "foo").Obj()); !st.IsSkip() {
		t.Errorf("PreScore = %v, want Skip", st)
	}
	// Default constraints are ScheduleAnyway: PreFilter skips.
	all, _ := snap.NodeInfos().List()
	if _, st := pl.PreFilter(context.Background(), cyclestate.New(), owned, all); !st.IsSkip() {
		t.Errorf("PreFilter = %v, want Skip", st)
	}
}

func TestDefaultSelectorFromService(t *testing.T) {
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "svc", Namespace: "default"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "foo"}}}
	other := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "other", Namespace: "default"},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "bar"}}}
	snap := nodeinfo.NewSnapshot(nil, nil)
	pl := systemDefaulted(t, snap, svc, other)
	sel := pl.listers.defaultSelector(pt.MakePod("p").Label("app", "foo").Label("x", "y").Obj())
	if got := sel.String(); got != "app=foo" {
		t.Errorf("selector = %q, want app=foo", got)
	}
}
