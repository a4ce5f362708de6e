package interpodaffinity

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func TestFilter(t *testing.T) {
	affinity := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	anti := fwk.NewStatus(fwk.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
	existingAnti := fwk.NewStatus(fwk.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	host := corev1.LabelHostname
	db := pt.MakePod("db").Label("app", "db").Node("n1").Obj()
	web := pt.MakePod("web").Label("app", "web").Node("n1").Obj()
	nsTerm := pt.Term(zone, "app", "db")
	nsTerm.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}
	tests := []struct {
		name     string
		pod      *pt.PodWrapper
		nodes    []*corev1.Node
		existing []*corev1.Pod
		want     map[string]*fwk.Status
		wantSkip bool
	}{
		{name: "no terms anywhere: Skip", pod: pt.MakePod("p"), existing: []*corev1.Pod{db}, wantSkip: true},
		{name: "affinity by zone", pod: pt.MakePod("p").Required(pt.Affinity, pt.Term(zone, "app", "db")),
			existing: []*corev1.Pod{db}, want: map[string]*fwk.Status{"n3": affinity}},
		{name: "affinity by hostname", pod: pt.MakePod("p").Required(pt.Affinity, pt.Term(host, "app", "db")),
			existing: []*corev1.Pod{db}, want: map[string]*fwk.Status{"n2": affinity, "n3": affinity}},
		{name: "affinity needs one pod matching all terms", pod: pt.MakePod("p").Required(pt.Affinity, pt.Term(zone, "app", "db")).Required(pt.Affinity, pt.Term(zone, "tier", "x")),
			existing: []*corev1.Pod{db, pt.MakePod("x").Label("tier", "x").Node("n2").Obj()},
			want:     map[string]*fwk.Status{"n1": affinity, "n2": affinity, "n3": affinity}},
		{name: "first pod of a self-affine group", pod: pt.MakePod("p").Label("app", "db").Required(pt.Affinity, pt.Term(zone, "app", "db")),
			nodes: append(threeNodes(), pt.MakeNode("n4").Obj()), want: map[string]*fwk.Status{"n4": affinity}},
		{name: "no match and not self-affine", pod: pt.MakePod("p").Required(pt.Affinity, pt.Term(zone, "app", "db")),
			want: map[string]*fwk.Status{"n1": affinity, "n2": affinity, "n3": affinity}},
		{name: "affinity in another namespace doesn't match", pod: pt.MakePod("p").Required(pt.Affinity, pt.Term(zone, "app", "db")),
			existing: []*corev1.Pod{pt.MakePod("db").Namespace("other").Label("app", "db").Node("n1").Obj()},
			want:     map[string]*fwk.Status{"n1": affinity, "n2": affinity, "n3": affinity}},
		{name: "affinity through a namespace selector", pod: pt.MakePod("p").Required(pt.Affinity, nsTerm),
			existing: []*corev1.Pod{pt.MakePod("db").Namespace("team-x").Label("app", "db").Node("n3").Obj()},
			want:     map[string]*fwk.Status{"n1": affinity, "n2": affinity}},
		{name: "anti-affinity by hostname", pod: pt.MakePod("p").Required(pt.AntiAffinity, pt.Term(host, "app", "web")),
			existing: []*corev1.Pod{web}, want: map[string]*fwk.Status{"n1": anti}},
		{name: "anti-affinity by zone", pod: pt.MakePod("p").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")),
			existing: []*corev1.Pod{web}, want: map[string]*fwk.Status{"n1": anti, "n2": anti}},
		{name: "existing pod's anti-affinity", pod: pt.MakePod("p").Label("app", "web"),
			existing: []*corev1.Pod{pt.MakePod("e").Node("n3").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")).Obj()},
			want:     map[string]*fwk.Status{"n3": existingAnti}},
		{name: "existing pod's anti-affinity for another namespace", pod: pt.MakePod("p").Label("app", "web"),
			existing: []*corev1.Pod{pt.MakePod("e").Namespace("other").Node("n3").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")).Obj()},
			wantSkip: true},
		{name: "affinity checked before anti-affinity", pod: pt.MakePod("p").Label("app", "web").Required(pt.Affinity, pt.Term(zone, "app", "db")).Required(pt.AntiAffinity, pt.Term(host, "app", "web")),
			existing: []*corev1.Pod{db, web}, want: map[string]*fwk.Status{"n1": anti, "n3": affinity}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := tt.nodes
			if nodes == nil {
				nodes = threeNodes()
			}
			snap := nodeinfo.NewSnapshot(tt.existing, nodes)
			pl := newPlugin(t, snap, nil)
			all, _ := snap.NodeInfos().List()
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			_, st := pl.PreFilter(ctx, cs, pod, all)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreFilter = %v, want Skip", st)
				}
				return
			}
			if !st.IsSuccess() {
				t.Fatal(st)
			}
			for _, ni := range all {
				name := ni.Node().Name
				if got := pl.Filter(ctx, cs, pod, ni); !got.Equal(tt.want[name]) {
					t.Errorf("Filter(%s) = %v, want %v", name, got, tt.want[name])
				}
			}
		})
	}
}

func TestBadSelector(t *testing.T) {
	snap := nodeinfo.NewSnapshot(nil, threeNodes())
	pl := newPlugin(t, snap, nil)
	term := pt.Term(zone, "app", "db")
	term.LabelSelector.MatchExpressions[0].Operator = "Bogus"
	_, st := pl.PreFilter(context.Background(), cyclestate.New(), pt.MakePod("p").Required(pt.Affinity, term).Obj(), nil)
	if st.Code() != fwk.UnschedulableAndUnresolvable {
		t.Errorf("PreFilter = %v, want UnschedulableAndUnresolvable", st)
	}
}

func TestAddRemovePod(t *testing.T) {
	ctx := context.Background()
	web := pt.MakePod("web").Label("app", "web").Node("n1").Obj()
	snap := nodeinfo.NewSnapshot([]*corev1.Pod{web}, threeNodes())
	pl := newPlugin(t, snap, nil)
	all, _ := snap.NodeInfos().List()
	pod := pt.MakePod("p").Label("app", "web").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")).Obj()
	cs := cyclestate.New()
	if _, st := pl.PreFilter(ctx, cs, pod, all); !st.IsSuccess() {
		t.Fatal(st)
	}
	n1, _ := snap.NodeInfos().Get("n1")
	n3, _ := snap.NodeInfos().Get("n3")
	copyState := cs.Clone()
	webInfo, _ := nodeinfo.NewPodInfo(web)
	pl.RemovePod(ctx, copyState, pod, webInfo, n1)
	if st := pl.Filter(ctx, copyState, pod, n1); !st.IsSuccess() {
		t.Errorf("after RemovePod n1 should fit: %v", st)
	}
	if st := pl.Filter(ctx, cs, pod, n1); st.IsSuccess() {
		t.Error("RemovePod on the clone changed the original")
	}
	// A pod with anti-affinity against the incoming pod added in zone b blocks it there.
	hater, _ := nodeinfo.NewPodInfo(pt.MakePod("h").Node("n3").Required(pt.AntiAffinity, pt.Term(zone, "app", "web")).Obj())
	pl.AddPod(ctx, cs, pod, hater, n3)
	want := fwk.NewStatus(fwk.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
	if st := pl.Filter(ctx, cs, pod, n3); !st.Equal(want) {
		t.Errorf("after AddPod n3 = %v, want %v", st, want)
	}
}
