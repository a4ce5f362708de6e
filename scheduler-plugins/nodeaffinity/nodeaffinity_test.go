package nodeaffinity

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func TestFilter(t *testing.T) {
	noMatch := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonPod)
	in := corev1.NodeSelectorOpIn
	tests := []struct {
		name          string
		args          *configv1.NodeAffinityArgs
		pod           *pt.PodWrapper
		node          *pt.NodeWrapper
		want          *fwk.Status
		wantPreFilter *fwk.PreFilterResult
		wantPreStatus *fwk.Status
	}{
		{name: "no constraints: Skip", pod: pt.MakePod("p"), node: pt.MakeNode("n"), wantPreStatus: fwk.NewStatus(fwk.Skip)},
		{name: "node selector matches", pod: pt.MakePod("p").NodeSelector("zone", "a"), node: pt.MakeNode("n").Label("zone", "a")},
		{name: "node selector doesn't match", pod: pt.MakePod("p").NodeSelector("zone", "a"), node: pt.MakeNode("n").Label("zone", "b"), want: noMatch},
		{name: "affinity In matches", pod: pt.MakePod("p").RequiredNodeTerm(pt.LabelTerm("zone", in, "a", "b")), node: pt.MakeNode("n").Label("zone", "b")},
		{name: "affinity NotIn", pod: pt.MakePod("p").RequiredNodeTerm(pt.LabelTerm("zone", corev1.NodeSelectorOpNotIn, "b")), node: pt.MakeNode("n").Label("zone", "b"), want: noMatch},
		{name: "terms are ORed", pod: pt.MakePod("p").RequiredNodeTerm(pt.LabelTerm("zone", in, "x")).RequiredNodeTerm(pt.LabelTerm("disk", corev1.NodeSelectorOpExists)),
			node: pt.MakeNode("n").Label("disk", "ssd")},
		{name: "selector and affinity are ANDed", pod: pt.MakePod("p").NodeSelector("zone", "a").RequiredNodeTerm(pt.LabelTerm("disk", corev1.NodeSelectorOpExists)),
			node: pt.MakeNode("n").Label("disk", "ssd"), want: noMatch},
		{name: "metadata.name pins the node", pod: pt.MakePod("p").RequiredNodeTerm(pt.NameTerm("n")), node: pt.MakeNode("n"),
			wantPreFilter: &fwk.PreFilterResult{NodeNames: sets.New("n")}},
		// A field selector takes exactly one value: PreFilter narrows to both names, but Filter's
		// matcher fails to parse the term and, as upstream, treats that as no match.
		{name: "metadata.name with two values", pod: pt.MakePod("p").RequiredNodeTerm(pt.NameTerm("n", "m")), node: pt.MakeNode("n"),
			want: noMatch, wantPreFilter: &fwk.PreFilterResult{NodeNames: sets.New("n", "m")}},
		{name: "metadata.name terms union", pod: pt.MakePod("p").RequiredNodeTerm(pt.NameTerm("a")).RequiredNodeTerm(pt.NameTerm("b")), node: pt.MakeNode("n"),
			want: noMatch, wantPreFilter: &fwk.PreFilterResult{NodeNames: sets.New("a", "b")}},
		{name: "metadata.name conflict within a term", node: pt.MakeNode("n"),
			pod: pt.MakePod("p").RequiredNodeTerm(corev1.NodeSelectorTerm{MatchFields: []corev1.NodeSelectorRequirement{
				{Key: "metadata.name", Operator: in, Values: []string{"a"}}, {Key: "metadata.name", Operator: in, Values: []string{"b"}}}}),
			wantPreStatus: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonConflict)},
		{name: "term without metadata.name leaves all nodes", pod: pt.MakePod("p").RequiredNodeTerm(pt.NameTerm("a")).RequiredNodeTerm(pt.LabelTerm("zone", in, "z")),
			node: pt.MakeNode("n").Label("zone", "z")},
		{name: "added affinity rejects", args: &configv1.NodeAffinityArgs{AddedAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{pt.LabelTerm("pool", in, "web")}}}},
			pod: pt.MakePod("p"), node: pt.MakeNode("n").Label("pool", "db"), want: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonEnforced)},
		{name: "added affinity accepts", args: &configv1.NodeAffinityArgs{AddedAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{pt.LabelTerm("pool", in, "web")}}}},
			pod: pt.MakePod("p"), node: pt.MakeNode("n").Label("pool", "web")},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(ctx, argsObj(tt.args), nil)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(*Plugin)
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			res, st := pl.PreFilter(ctx, cs, pod, nil)
			if !st.Equal(tt.wantPreStatus) {
				t.Fatalf("PreFilter status = %v, want %v", st, tt.wantPreStatus)
			}
			if diff := cmp.Diff(tt.wantPreFilter, res); diff != "" {
				t.Errorf("PreFilter result (-want +got):\n%s", diff)
			}
			if !st.IsSuccess() && !st.IsSkip() {
				return
			}
			if got := pl.Filter(ctx, cs, pod, pt.NodeInfo(tt.node.Obj())); !got.Equal(tt.want) {
				t.Errorf("Filter = %v, want %v", got, tt.want)
			}
			// Without PreFilter state Filter computes the same.
			if got := pl.Filter(ctx, cyclestate.New(), pod, pt.NodeInfo(tt.node.Obj())); !got.Equal(tt.want) {
				t.Errorf("Filter without PreFilter = %v, want %v", got, tt.want)
			}
		})
	}
}

func argsObj(a *configv1.NodeAffinityArgs) *configv1.NodeAffinityArgs { return a }

func TestNewInvalidArgs(t *testing.T) {
	_, err := New(context.Background(), &configv1.NodeAffinityArgs{AddedAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{
			pt.LabelTerm("zone", "BadOp", "a")}}}}, nil)
	if err == nil || !strings.Contains(err.Error(), "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution") {
		t.Errorf("err = %v, want a path in addedAffinity", err)
	}
	if _, err := New(context.Background(), &configv1.NodeResourcesFitArgs{}, nil); err == nil {
		t.Error("wrong args type accepted")
	}
}

func TestScore(t *testing.T) {
	in := corev1.NodeSelectorOpIn
	nodes := []*pt.NodeWrapper{
		pt.MakeNode("n1").Label("zone", "a"),
		pt.MakeNode("n2").Label("zone", "b").Label("disk", "ssd"),
		pt.MakeNode("n3"),
	}
	tests := []struct {
		name     string
		args     *configv1.NodeAffinityArgs
		pod      *pt.PodWrapper
		want     fwk.NodeScoreList
		wantSkip bool
	}{
		{name: "no preferences: Skip", pod: pt.MakePod("p"), wantSkip: true},
		{name: "weights summed and normalised",
			pod:  pt.MakePod("p").PreferredNodeTerm(10, pt.LabelTerm("zone", in, "a")).PreferredNodeTerm(5, pt.LabelTerm("disk", in, "ssd")).PreferredNodeTerm(20, pt.LabelTerm("zone", in, "b")),
			want: fwk.NodeScoreList{{Name: "n1", Score: 40}, {Name: "n2", Score: 100}, {Name: "n3", Score: 0}}},
		{name: "added preferred terms count too",
			args: &configv1.NodeAffinityArgs{AddedAffinity: &corev1.NodeAffinity{PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 3, Preference: pt.LabelTerm("zone", in, "a")}}}},
			pod:  pt.MakePod("p").PreferredNodeTerm(1, pt.LabelTerm("disk", in, "ssd")),
			want: fwk.NodeScoreList{{Name: "n1", Score: 100}, {Name: "n2", Score: 33}, {Name: "n3", Score: 0}}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(ctx, argsObj(tt.args), nil)
			if err != nil {
				t.Fatal(err)
			}
			pl := p.(*Plugin)
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			st := pl.PreScore(ctx, cs, pod, nil)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreScore = %v, want Skip", st)
				}
				return
			}
			var got fwk.NodeScoreList
			for _, n := range nodes {
				s, st := pl.Score(ctx, cs, pod, pt.NodeInfo(n.Obj()))
				if !st.IsSuccess() {
					t.Fatal(st)
				}
				got = append(got, fwk.NodeScore{Name: n.Name, Score: s})
			}
			pl.NormalizeScore(ctx, cs, pod, got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNodeChangeHint(t *testing.T) {
	pod := pt.MakePod("p").NodeSelector("zone", "a").Obj()
	pl := &Plugin{}
	a, b := pt.MakeNode("n").Label("zone", "a").Obj(), pt.MakeNode("n").Label("zone", "b").Obj()
	tests := []struct {
		name     string
		old, new *corev1.Node
		want     fwk.QueueingHint
	}{
		{"added matching", nil, a, fwk.Queue},
		{"added not matching", nil, b, fwk.QueueSkip},
		{"relabelled to match", b, a, fwk.Queue},
		{"still matching", a, a, fwk.QueueSkip},
		{"relabelled away", a, b, fwk.QueueSkip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old any
			if tt.old != nil {
				old = tt.old
			}
			got, err := pl.isSchedulableAfterNodeChange(klog.Background(), pod, old, tt.new)
			if err != nil || got != tt.want {
				t.Errorf("hint = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
