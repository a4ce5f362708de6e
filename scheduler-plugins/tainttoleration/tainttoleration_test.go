package tainttoleration

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestFilter(t *testing.T) {
	untolerated := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNotMatch)
	tests := []struct {
		name string
		pod  *plugintest.PodWrapper
		node *plugintest.NodeWrapper
		want *fwk.Status
	}{
		{"no taints", plugintest.MakePod("p"), plugintest.MakeNode("n"), nil},
		{"NoSchedule taint untolerated", plugintest.MakePod("p"),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectNoSchedule), untolerated},
		{"NoExecute taint untolerated", plugintest.MakePod("p"),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectNoExecute), untolerated},
		{"PreferNoSchedule taint is ignored", plugintest.MakePod("p"),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectPreferNoSchedule), nil},
		{"tolerated with Equal", plugintest.MakePod("p").Toleration("dedicated", corev1.TolerationOpEqual, "gpu", corev1.TaintEffectNoSchedule),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectNoSchedule), nil},
		{"value differs", plugintest.MakePod("p").Toleration("dedicated", corev1.TolerationOpEqual, "cpu", corev1.TaintEffectNoSchedule),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectNoSchedule), untolerated},
		{"tolerated with Exists and no effect", plugintest.MakePod("p").Toleration("dedicated", corev1.TolerationOpExists, "", ""),
			plugintest.MakeNode("n").Taint("dedicated", "gpu", corev1.TaintEffectNoSchedule).Taint("dedicated", "gpu", corev1.TaintEffectNoExecute), nil},
		{"second taint untolerated", plugintest.MakePod("p").Toleration("a", corev1.TolerationOpExists, "", ""),
			plugintest.MakeNode("n").Taint("a", "", corev1.TaintEffectNoSchedule).Taint("b", "", corev1.TaintEffectNoSchedule), untolerated},
		{"Gt operator is off (alpha)", plugintest.MakePod("p").Toleration("n", corev1.TolerationOpGt, "1", corev1.TaintEffectNoSchedule),
			plugintest.MakeNode("n").Taint("n", "5", corev1.TaintEffectNoSchedule), untolerated},
	}
	ctx := context.Background()
	pl := &Plugin{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pl.Filter(ctx, cyclestate.New(), tt.pod.Obj(), plugintest.NodeInfo(tt.node.Obj()))
			if !got.Equal(tt.want) {
				t.Errorf("Filter = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	prefer := corev1.TaintEffectPreferNoSchedule
	tests := []struct {
		name  string
		pod   *plugintest.PodWrapper
		nodes []*plugintest.NodeWrapper
		want  fwk.NodeScoreList
	}{
		{
			name: "fewer untolerated PreferNoSchedule taints score higher",
			pod:  plugintest.MakePod("p").Toleration("a", corev1.TolerationOpEqual, "x", prefer),
			nodes: []*plugintest.NodeWrapper{
				plugintest.MakeNode("n1").Taint("a", "x", prefer),
				plugintest.MakeNode("n2").Taint("b", "x", prefer),
				plugintest.MakeNode("n3").Taint("b", "x", prefer).Taint("c", "y", prefer),
			},
			want: fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 50}, {Name: "n3", Score: 0}},
		},
		{
			name: "NoSchedule taints and NoSchedule tolerations don't count",
			pod:  plugintest.MakePod("p").Toleration("b", corev1.TolerationOpExists, "", corev1.TaintEffectNoSchedule),
			nodes: []*plugintest.NodeWrapper{
				plugintest.MakeNode("n1").Taint("a", "x", corev1.TaintEffectNoSchedule),
				plugintest.MakeNode("n2").Taint("b", "x", prefer),
			},
			want: fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 0}},
		},
		{
			name:  "no taints anywhere",
			pod:   plugintest.MakePod("p"),
			nodes: []*plugintest.NodeWrapper{plugintest.MakeNode("n1"), plugintest.MakeNode("n2")},
			want:  fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 100}},
		},
	}
	ctx := context.Background()
	pl := &Plugin{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := cyclestate.New()
			pod := tt.pod.Obj()
			if st := pl.PreScore(ctx, cs, pod, nil); !st.IsSuccess() {
				t.Fatalf("PreScore: %v", st)
			}
			var got fwk.NodeScoreList
			for _, n := range tt.nodes {
				s, st := pl.Score(ctx, cs, pod, plugintest.NodeInfo(n.Obj()))
				if !st.IsSuccess() {
					t.Fatalf("Score: %v", st)
				}
				got = append(got, fwk.NodeScore{Name: n.Name, Score: s})
			}
			if st := pl.ScoreExtensions().NormalizeScore(ctx, cs, pod, got); !st.IsSuccess() {
				t.Fatalf("NormalizeScore: %v", st)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodeChangeHint(t *testing.T) {
	pod := plugintest.MakePod("p").Obj()
	tainted := plugintest.MakeNode("n").Taint("a", "", corev1.TaintEffectNoSchedule).Obj()
	clean := plugintest.MakeNode("n").Obj()
	tests := []struct {
		name     string
		old, new *corev1.Node
		want     fwk.QueueingHint
	}{
		{"added clean", nil, clean, fwk.Queue},
		{"added tainted", nil, tainted, fwk.QueueSkip},
		{"taint removed", tainted, clean, fwk.Queue},
		{"taint added", clean, tainted, fwk.QueueSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old any
			if tt.old != nil {
				old = tt.old
			}
			got, err := isSchedulableAfterNodeChange(klog.Background(), pod, old, tt.new)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
