package interpodaffinity

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func TestScore(t *testing.T) {
	host := corev1.LabelHostname
	db := pt.MakePod("db").Label("app", "db").Node("n1").Obj()
	tests := []struct {
		name     string
		args     *configv1.InterPodAffinityArgs
		pod      *pt.PodWrapper
		existing []*corev1.Pod
		want     fwk.NodeScoreList
		wantSkip bool
	}{
		{name: "preferred affinity by zone", pod: pt.MakePod("p").Preferred(pt.Affinity, 5, pt.Term(zone, "app", "db")), existing: []*corev1.Pod{db},
			want: fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 100}, {Name: "n3", Score: 0}}},
		{name: "preferred anti-affinity by hostname", pod: pt.MakePod("p").Preferred(pt.AntiAffinity, 5, pt.Term(host, "app", "db")), existing: []*corev1.Pod{db},
			want: fwk.NodeScoreList{{Name: "n1", Score: 0}, {Name: "n2", Score: 100}, {Name: "n3", Score: 100}}},
		// zone a: +8 (affinity) -2 (anti on n1's host) ... n1 = 8-2 = 6, n2 = 8, n3 = 0 -> 75, 100, 0.
		{name: "mixed preferences", pod: pt.MakePod("p").Preferred(pt.Affinity, 8, pt.Term(zone, "app", "db")).Preferred(pt.AntiAffinity, 2, pt.Term(host, "app", "db")),
			existing: []*corev1.Pod{db}, want: fwk.NodeScoreList{{Name: "n1", Score: 75}, {Name: "n2", Score: 100}, {Name: "n3", Score: 0}}},
		{name: "existing pod's required affinity counts hardPodAffinityWeight", pod: pt.MakePod("p").Label("app", "foo"),
			existing: []*corev1.Pod{pt.MakePod("e").Node("n3").Required(pt.Affinity, pt.Term(zone, "app", "foo")).Obj()},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 0}, {Name: "n2", Score: 0}, {Name: "n3", Score: 100}}},
		{name: "hardPodAffinityWeight 0", args: &configv1.InterPodAffinityArgs{HardPodAffinityWeight: ptr.To[int32](0)}, pod: pt.MakePod("p").Label("app", "foo"),
			existing: []*corev1.Pod{pt.MakePod("e").Node("n3").Required(pt.Affinity, pt.Term(zone, "app", "foo")).Obj()}, wantSkip: true},
		{name: "existing pod's preferred anti-affinity", pod: pt.MakePod("p").Label("app", "foo"),
			existing: []*corev1.Pod{pt.MakePod("e").Node("n2").Preferred(pt.AntiAffinity, 10, pt.Term(host, "app", "foo")).Obj()},
			want:     fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 0}, {Name: "n3", Score: 100}}},
		{name: "existing pods' preferences ignored", args: &configv1.InterPodAffinityArgs{IgnorePreferredTermsOfExistingPods: true}, pod: pt.MakePod("p").Label("app", "foo"),
			existing: []*corev1.Pod{pt.MakePod("e").Node("n2").Preferred(pt.AntiAffinity, 10, pt.Term(host, "app", "foo")).Obj()}, wantSkip: true},
		{name: "nothing matches: Skip", pod: pt.MakePod("p").Preferred(pt.Affinity, 5, pt.Term(zone, "app", "none")), existing: []*corev1.Pod{db}, wantSkip: true},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := nodeinfo.NewSnapshot(tt.existing, threeNodes())
			pl := newPlugin(t, snap, tt.args)
			all, _ := snap.NodeInfos().List()
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			st := pl.PreScore(ctx, cs, pod, all)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreScore = %v, want Skip", st)
				}
				return
			}
			if !st.IsSuccess() {
				t.Fatal(st)
			}
			var got fwk.NodeScoreList
			for _, ni := range all {
				s, st := pl.Score(ctx, cs, pod, ni)
				if !st.IsSuccess() {
					t.Fatal(st)
				}
				got = append(got, fwk.NodeScore{Name: ni.Node().Name, Score: s})
			}
			pl.NormalizeScore(ctx, cs, pod, got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestArgs(t *testing.T) {
	h := &pt.Handle{Lister: nodeinfo.NewEmptySnapshot(), Informers: informers.NewSharedInformerFactory(fake.NewClientset(), 0)}
	if _, err := New(context.Background(), &configv1.InterPodAffinityArgs{HardPodAffinityWeight: ptr.To[int32](101)}, h); err == nil {
		t.Error("hardPodAffinityWeight 101 accepted")
	}
	if _, err := New(context.Background(), nil, &pt.Handle{Lister: nodeinfo.NewEmptySnapshot()}); err == nil {
		t.Error("missing informer factory accepted")
	}
	p, err := New(context.Background(), nil, h)
	if err != nil || p.(*Plugin).hardPodAffinityWeight != 1 {
		t.Errorf("default weight: %v, %v", p, err)
	}
}
