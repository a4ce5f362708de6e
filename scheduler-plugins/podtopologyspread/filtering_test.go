package podtopologyspread

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

const zone = corev1.LabelTopologyZone

// threeNodes: n1 and n2 in zone a, n3 in zone b.
func threeNodes() []*corev1.Node {
	return []*corev1.Node{
		pt.MakeNode("n1").Label(zone, "a").Obj(),
		pt.MakeNode("n2").Label(zone, "a").Obj(),
		pt.MakeNode("n3").Label(zone, "b").Obj(),
	}
}

func fooPod(name, node string) *corev1.Pod {
	return pt.MakePod(name).Label("app", "foo").Node(node).Obj()
}

// newPlugin builds the plugin with List defaulting and no default constraints (no listers).
func newPlugin(t *testing.T, snap *nodeinfo.Snapshot) *Plugin {
	t.Helper()
	p, err := New(context.Background(), &configv1.PodTopologySpreadArgs{DefaultingType: configv1.ListDefaulting}, &pt.Handle{Lister: snap})
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Plugin)
}

func TestFilter(t *testing.T) {
	constraintsNotMatch := fwk.NewStatus(fwk.Unschedulable, ErrReasonConstraintsNotMatch)
	missingLabel := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
	dns := corev1.DoNotSchedule
	tests := []struct {
		name     string
		pod      *pt.PodWrapper
		nodes    []*corev1.Node
		existing []*corev1.Pod
		want     map[string]*fwk.Status // by node; absent means success
		wantSkip bool
	}{
		{
			name: "ScheduleAnyway only: Skip", pod: pt.MakePod("p").Label("app", "foo").Spread(1, zone, corev1.ScheduleAnyway, "app", "foo"),
			nodes: threeNodes(), wantSkip: true,
		},
		{
			name:     "hostname, maxSkew 1",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, corev1.LabelHostname, dns, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n1"), fooPod("c", "n2")},
			want:     map[string]*fwk.Status{"n1": constraintsNotMatch, "n2": constraintsNotMatch},
		},
		{
			name:     "zone, maxSkew 1",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, zone, dns, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n2")},
			want:     map[string]*fwk.Status{"n1": constraintsNotMatch, "n2": constraintsNotMatch},
		},
		{
			name:     "zones even: skew 1 everywhere",
			pod:      pt.MakePod("p").Label("app", "foo").Spread(1, zone, dns, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n3")},
		},
		{
			name:     "pod not matching its own selector adds no skew",
			pod:      pt.MakePod("p").Spread(1, zone, dns, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1")},
		},
		{
			name:  "node without the topology key",
			pod:   pt.MakePod("p").Label("app", "foo").Spread(1, zone, dns, "app", "foo"),
			nodes: append(threeNodes(), pt.MakeNode("n4").Obj()),
			want:  map[string]*fwk.Status{"n4": missingLabel},
		},
		{
			name:  "terminating pods and other namespaces don't count",
			pod:   pt.MakePod("p").Label("app", "foo").Spread(1, corev1.LabelHostname, dns, "app", "foo"),
			nodes: threeNodes(),
			existing: []*corev1.Pod{pt.MakePod("a").Label("app", "foo").Node("n1").Terminating().Obj(),
				pt.MakePod("b").Label("app", "foo").Node("n1").Namespace("other").Obj()},
		},
		{
			name: "minDomains above the domain count makes the minimum 0",
			pod: pt.MakePod("p").Label("app", "foo").SpreadConstraint(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: zone,
				WhenUnsatisfiable: dns, MinDomains: ptr.To[int32](3), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}}}),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1"), fooPod("b", "n3")},
			want:     map[string]*fwk.Status{"n1": constraintsNotMatch, "n2": constraintsNotMatch, "n3": constraintsNotMatch},
		},
		{
			name:     "nodeAffinityPolicy Honor (default) leaves non-matching zones out of the minimum",
			pod:      pt.MakePod("p").Label("app", "foo").NodeSelector(zone, "a").Spread(1, zone, dns, "app", "foo"),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1")},
		},
		{
			name: "nodeAffinityPolicy Ignore counts every zone",
			pod: pt.MakePod("p").Label("app", "foo").NodeSelector(zone, "a").SpreadConstraint(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: zone,
				WhenUnsatisfiable: dns, NodeAffinityPolicy: ptr.To(corev1.NodeInclusionPolicyIgnore), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}}}),
			nodes:    threeNodes(),
			existing: []*corev1.Pod{fooPod("a", "n1")},
			want:     map[string]*fwk.Status{"n1": constraintsNotMatch, "n2": constraintsNotMatch},
		},
		{
			name: "nodeTaintsPolicy Honor leaves tainted nodes out",
			pod: pt.MakePod("p").Label("app", "foo").SpreadConstraint(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: zone,
				WhenUnsatisfiable: dns, NodeTaintsPolicy: ptr.To(corev1.NodeInclusionPolicyHonor), LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}}}),
			nodes:    []*corev1.Node{threeNodes()[0], threeNodes()[1], pt.MakeNode("n3").Label(zone, "b").Taint("t", "", corev1.TaintEffectNoSchedule).Obj()},
			existing: []*corev1.Pod{fooPod("a", "n1")},
		},
		{
			name: "matchLabelKeys narrows the selector to the pod's own value",
			pod: pt.MakePod("p").Label("app", "foo").Label("rev", "2").SpreadConstraint(corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: corev1.LabelHostname,
				WhenUnsatisfiable: dns, MatchLabelKeys: []string{"rev"}, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "foo"}}}),
			nodes: threeNodes(),
			// rev=1 pods don't count, so n1 has one matching pod and n3 none: skew 2 on n1.
			existing: []*corev1.Pod{pt.MakePod("a").Label("app", "foo").Label("rev", "1").Node("n2").Obj(),
				pt.MakePod("b").Label("app", "foo").Label("rev", "2").Node("n1").Obj()},
			want: map[string]*fwk.Status{"n1": constraintsNotMatch},
		},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := nodeinfo.NewSnapshot(tt.existing, tt.nodes)
			pl := newPlugin(t, snap)
			nodes, _ := snap.NodeInfos().List()
			pod := tt.pod.Obj()
			cs := cyclestate.New()
			_, st := pl.PreFilter(ctx, cs, pod, nodes)
			if tt.wantSkip {
				if !st.IsSkip() {
					t.Errorf("PreFilter = %v, want Skip", st)
				}
				return
			}
			if !st.IsSuccess() {
				t.Fatal(st)
			}
			for _, ni := range nodes {
				name := ni.Node().Name
				if got := pl.Filter(ctx, cs, pod, ni); !got.Equal(tt.want[name]) {
					t.Errorf("Filter(%s) = %v, want %v", name, got, tt.want[name])
				}
			}
		})
	}
}

func TestAddRemovePod(t *testing.T) {
	ctx := context.Background()
	nodes := threeNodes()
	snap := nodeinfo.NewSnapshot([]*corev1.Pod{fooPod("a", "n1")}, nodes)
	pl := newPlugin(t, snap)
	all, _ := snap.NodeInfos().List()
	pod := pt.MakePod("p").Label("app", "foo").Spread(1, zone, corev1.DoNotSchedule, "app", "foo").Obj()
	cs := cyclestate.New()
	if _, st := pl.PreFilter(ctx, cs, pod, all); !st.IsSuccess() {
		t.Fatal(st)
	}
	n1, _ := snap.NodeInfos().Get("n1")
	n3, _ := snap.NodeInfos().Get("n3")
	if st := pl.Filter(ctx, cs, pod, n1); st.IsSuccess() {
		t.Fatal("zone a has 1, zone b 0: n1 should fail")
	}
	// Preemption simulates removing pod a from n1 on a copy of the state.
	copyState := cs.Clone()
	pa, _ := nodeinfo.NewPodInfo(fooPod("a", "n1"))
	if st := pl.RemovePod(ctx, copyState, pod, pa, n1); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := pl.Filter(ctx, copyState, pod, n1); !st.IsSuccess() {
		t.Errorf("after RemovePod n1 should fit: %v", st)
	}
	if st := pl.Filter(ctx, cs, pod, n1); st.IsSuccess() {
		t.Error("RemovePod on the clone changed the original state")
	}
	// Adding a matching pod in zone b evens the zones.
	pb, _ := nodeinfo.NewPodInfo(fooPod("b", "n3"))
	if st := pl.AddPod(ctx, cs, pod, pb, n3); !st.IsSuccess() {
		t.Fatal(st)
	}
	if st := pl.Filter(ctx, cs, pod, n1); !st.IsSuccess() {
		t.Errorf("after AddPod in zone b, n1 should fit: %v", st)
	}
	// Pods of other namespaces are ignored.
	pc, _ := nodeinfo.NewPodInfo(pt.MakePod("c").Namespace("x").Label("app", "foo").Node("n3").Obj())
	pl.AddPod(ctx, cs, pod, pc, n3)
	if st := pl.Filter(ctx, cs, pod, n1); !st.IsSuccess() {
		t.Errorf("a pod of another namespace was counted: %v", st)
	}
}

func TestArgsValidation(t *testing.T) {
	h := &pt.Handle{Lister: nodeinfo.NewEmptySnapshot()}
	bad := []*configv1.PodTopologySpreadArgs{
		{DefaultingType: "Bogus"},
		{DefaultingType: configv1.SystemDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule}}},
		{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 0, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule}}},
		{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: "Maybe"}}},
		{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{}}}},
		{DefaultingType: configv1.ListDefaulting, DefaultConstraints: []corev1.TopologySpreadConstraint{
			{MaxSkew: 1, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule}, {MaxSkew: 2, TopologyKey: zone, WhenUnsatisfiable: corev1.DoNotSchedule}}},
	}
	for i, a := range bad {
		if _, err := New(context.Background(), a, h); err == nil {
			t.Errorf("args %d accepted: %+v", i, a)
		}
	}
	// Default constraints need an informer factory.
	if _, err := New(context.Background(), nil, h); err == nil {
		t.Error("System defaulting without an informer factory accepted")
	}
}
