package runtime

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// sorter sorts by name.
type sorter struct{}

func (sorter) Name() string { return "Sorter" }
func (sorter) Less(a, b fwk.QueuedEntityInfo) bool {
	return a.GetTimestamp().Before(b.GetTimestamp())
}

// binder records binds.
type binder struct{ bound map[string]string }

func (*binder) Name() string { return "Binder" }
func (b *binder) Bind(_ context.Context, _ fwk.CycleState, p *corev1.Pod, node string) *fwk.Status {
	b.bound[p.Name] = node
	return nil
}

// rejectNode filters out one node; as PreFilter it can narrow to a set or skip.
type rejectNode struct {
	name, node string
	only       []string
	skip       bool
	code       fwk.Code
}

func (r *rejectNode) Name() string { return r.name }
func (r *rejectNode) PreFilter(context.Context, fwk.CycleState, *corev1.Pod, []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	if r.skip {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	if r.only != nil {
		return &fwk.PreFilterResult{NodeNames: sets.New(r.only...)}, nil
	}
	return nil, nil
}
func (r *rejectNode) PreFilterExtensions() fwk.PreFilterExtensions { return nil }
func (r *rejectNode) Filter(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) *fwk.Status {
	if ni.Node().Name == r.node {
		code := r.code
		if code == fwk.Success {
			code = fwk.Unschedulable
		}
		return fwk.NewStatus(code, "node(s) rejected by "+r.name)
	}
	return nil
}

// labelScore scores 100 for nodes with the label, 0 otherwise; normalize halves.
type labelScore struct {
	label string
	halve bool
	bad   bool
}

func (l *labelScore) Name() string { return "Label" + l.label }
func (l *labelScore) Score(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) (int64, *fwk.Status) {
	if l.bad {
		return 1000, nil
	}
	if _, ok := ni.Node().Labels[l.label]; ok {
		return 100, nil
	}
	return 0, nil
}
func (l *labelScore) ScoreExtensions() fwk.ScoreExtensions {
	if l.halve {
		return l
	}
	return nil
}
func (l *labelScore) NormalizeScore(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, s fwk.NodeScoreList) *fwk.Status {
	for i := range s {
		s[i].Score /= 2
	}
	return nil
}

// waiter makes pods wait at Permit.
type waiter struct{ timeout time.Duration }

func (waiter) Name() string { return "Waiter" }
func (w waiter) Permit(context.Context, fwk.CycleState, *corev1.Pod, string) (*fwk.Status, time.Duration) {
	return fwk.NewStatus(fwk.Wait), w.timeout
}

func factory(p fwk.Plugin) schedulerplugins.PluginFactory {
	return func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error) { return p, nil }
}

func names(ps ...string) []configv1.Plugin {
	out := make([]configv1.Plugin, len(ps))
	for i, p := range ps {
		out[i] = configv1.Plugin{Name: p}
	}
	return out
}

func testNodes() []*corev1.Node {
	var out []*corev1.Node
	for _, n := range []string{"a", "b", "c"} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n, Labels: map[string]string{}}}
		if n == "b" {
			node.Labels["fast"] = ""
		}
		out = append(out, node)
	}
	return out
}

func newTestFramework(t *testing.T, r schedulerplugins.Registry, plugins *configv1.Plugins, opts ...Option) *Framework {
	t.Helper()
	r["Sorter"] = factory(sorter{})
	if _, ok := r["Binder"]; !ok {
		r["Binder"] = factory(&binder{bound: map[string]string{}})
	}
	plugins.QueueSort.Enabled = append(plugins.QueueSort.Enabled, configv1.Plugin{Name: "Sorter"})
	if len(plugins.Bind.Enabled) == 0 {
		plugins.Bind.Enabled = names("Binder")
	}
	opts = append(opts, WithSnapshotSharedLister(nodeinfo.NewSnapshot(nil, testNodes())))
	f, err := NewFramework(context.Background(), r, &configv1.KubeSchedulerProfile{SchedulerName: ptr.To("test"), Plugins: plugins}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewFrameworkErrors(t *testing.T) {
	r := schedulerplugins.Registry{"Sorter": factory(sorter{}), "Binder": factory(&binder{}), "RejectA": factory(&rejectNode{name: "RejectA"})}
	tests := []struct {
		name    string
		plugins configv1.Plugins
		want    string
	}{
		{"no queue sort", configv1.Plugins{Bind: configv1.PluginSet{Enabled: names("Binder")}}, "only one queue sort plugin"},
		{"no bind", configv1.Plugins{QueueSort: configv1.PluginSet{Enabled: names("Sorter")}}, "at least one bind plugin"},
		{"unknown", configv1.Plugins{QueueSort: configv1.PluginSet{Enabled: names("Sorter")}, Filter: configv1.PluginSet{Enabled: names("Nope")}}, `FilterPlugin "Nope" does not exist`},
		{"wrong point", configv1.Plugins{QueueSort: configv1.PluginSet{Enabled: names("Sorter")}, Score: configv1.PluginSet{Enabled: names("RejectA")}}, `plugin "RejectA" does not extend ScorePlugin plugin`},
		{"double", configv1.Plugins{QueueSort: configv1.PluginSet{Enabled: names("Sorter")}, Filter: configv1.PluginSet{Enabled: names("RejectA", "RejectA")}}, "already registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFramework(context.Background(), r, &configv1.KubeSchedulerProfile{Plugins: &tt.plugins})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestMultiPointExpansion(t *testing.T) {
	r := schedulerplugins.Registry{
		"RejectA": factory(&rejectNode{name: "RejectA", node: "a"}),
		"RejectB": factory(&rejectNode{name: "RejectB", node: "b"}),
		"RejectC": factory(&rejectNode{name: "RejectC", node: "c"}),
	}
	f := newTestFramework(t, r, &configv1.Plugins{
		MultiPoint: configv1.PluginSet{Enabled: names("RejectA", "RejectB", "RejectC")},
		Filter:     configv1.PluginSet{Enabled: names("RejectC"), Disabled: names("RejectB")},
		PreFilter:  configv1.PluginSet{Disabled: names("*")},
	})
	got := f.ListPlugins()
	if want := []string{"RejectC", "RejectA"}; strings.Join(got["Filter"], ",") != strings.Join(want, ",") {
		t.Errorf("Filter = %v, want %v", got["Filter"], want)
	}
	if len(got["PreFilter"]) != 0 {
		t.Errorf("PreFilter = %v, want none (disabled *)", got["PreFilter"])
	}
	if len(f.EnqueueExtensions()) != 3 {
		t.Errorf("enqueue extensions = %d, want 3", len(f.EnqueueExtensions()))
	}
}

func TestPreFilterAndFilter(t *testing.T) {
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	tests := []struct {
		name       string
		plugins    []*rejectNode
		wantCode   fwk.Code
		wantMsg    string
		wantNodes  []string // PreFilterResult
		wantFilter map[string]fwk.Code
	}{
		{
			name:       "filter rejects a node",
			plugins:    []*rejectNode{{name: "P1", node: "a"}},
			wantFilter: map[string]fwk.Code{"a": fwk.Unschedulable, "b": fwk.Success},
		},
		{
			name:     "disjoint results",
			plugins:  []*rejectNode{{name: "P1", only: []string{"a"}}, {name: "P2", only: []string{"b"}}},
			wantCode: fwk.UnschedulableAndUnresolvable,
			wantMsg:  "node(s) didn't satisfy plugin(s) [P1 P2] simultaneously",
		},
		{
			name:      "intersection",
			plugins:   []*rejectNode{{name: "P1", only: []string{"a", "b"}}, {name: "P2", only: []string{"b", "c"}}},
			wantNodes: []string{"b"},
		},
		{
			name:       "skip skips filter",
			plugins:    []*rejectNode{{name: "P1", node: "a", skip: true}},
			wantFilter: map[string]fwk.Code{"a": fwk.Success},
		},
		{
			name:       "filter error code becomes Error",
			plugins:    []*rejectNode{{name: "P1", node: "a", code: fwk.Wait}},
			wantFilter: map[string]fwk.Code{"a": fwk.Error},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := schedulerplugins.Registry{}
			var ns []string
			for _, p := range tt.plugins {
				r[p.name] = factory(p)
				ns = append(ns, p.name)
			}
			f := newTestFramework(t, r, &configv1.Plugins{MultiPoint: configv1.PluginSet{Enabled: names(ns...)}})
			state := cyclestate.New()
			res, s, _ := f.RunPreFilterPlugins(ctx, state, pod)
			if s.Code() != tt.wantCode || (tt.wantMsg != "" && s.Message() != tt.wantMsg) {
				t.Fatalf("PreFilter status = %v %q, want %v %q", s.Code(), s.Message(), tt.wantCode, tt.wantMsg)
			}
			if tt.wantNodes != nil && !res.NodeNames.Equal(sets.New(tt.wantNodes...)) {
				t.Errorf("result = %v, want %v", res.NodeNames, tt.wantNodes)
			}
			for node, code := range tt.wantFilter {
				ni, _ := f.SnapshotSharedLister().NodeInfos().Get(node)
				fs := f.RunFilterPlugins(ctx, state, pod, ni)
				if fs.Code() != code {
					t.Errorf("Filter(%s) = %v, want %v", node, fs.Code(), code)
				}
				if code != fwk.Success && fs.Plugin() != "P1" {
					t.Errorf("Filter(%s) plugin = %q", node, fs.Plugin())
				}
			}
		})
	}
}

func TestScore(t *testing.T) {
	ctx := context.Background()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	r := schedulerplugins.Registry{"Labelfast": factory(&labelScore{label: "fast", halve: true})}
	f := newTestFramework(t, r, &configv1.Plugins{Score: configv1.PluginSet{Enabled: []configv1.Plugin{{Name: "Labelfast", Weight: ptr.To[int32](3)}}}})
	nodes, _ := f.SnapshotSharedLister().NodeInfos().List()
	state := cyclestate.New()
	if s := f.RunPreScorePlugins(ctx, state, pod, nodes); !s.IsSuccess() {
		t.Fatal(s)
	}
	scores, s := f.RunScorePlugins(ctx, state, pod, nodes)
	if !s.IsSuccess() {
		t.Fatal(s)
	}
	want := map[string]int64{"a": 0, "b": 150, "c": 0}
	for _, sc := range scores {
		if sc.TotalScore != want[sc.Name] {
			t.Errorf("%s total = %d, want %d", sc.Name, sc.TotalScore, want[sc.Name])
		}
		if sc.Name == "b" && sc.RawScores[0].Score != 100 {
			t.Errorf("raw = %v", sc.RawScores)
		}
	}

	bad := newTestFramework(t, schedulerplugins.Registry{"Labelx": factory(&labelScore{label: "x", bad: true})},
		&configv1.Plugins{Score: configv1.PluginSet{Enabled: names("Labelx")}})
	if _, s := bad.RunScorePlugins(ctx, cyclestate.New(), pod, nodes); !s.IsError() || !strings.Contains(s.Message(), "invalid score 1000") {
		t.Errorf("out-of-range score status = %v", s)
	}
}

func TestPermitWait(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		timeout  time.Duration
		act      func(*Framework, *corev1.Pod)
		wantCode fwk.Code
		wantMsg  string
	}{
		{"allowed", time.Minute, func(f *Framework, p *corev1.Pod) { f.GetWaitingPod(p.UID).Allow("Waiter") }, fwk.Success, ""},
		{"rejected", time.Minute, func(f *Framework, p *corev1.Pod) { f.GetWaitingPod(p.UID).Reject("Waiter", "no") }, fwk.Unschedulable, "no"},
		{"timeout", 10 * time.Millisecond, func(*Framework, *corev1.Pod) {}, fwk.Unschedulable, "rejected due to timeout after waiting 10ms at plugin Waiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTestFramework(t, schedulerplugins.Registry{"Waiter": factory(waiter{timeout: tt.timeout})},
				&configv1.Plugins{Permit: configv1.PluginSet{Enabled: names("Waiter")}})
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
			if s := f.RunPermitPlugins(ctx, cyclestate.New(), pod, "a"); !s.IsWait() {
				t.Fatalf("Permit = %v, want Wait", s)
			}
			if !f.WillWaitOnPermit(ctx, pod) {
				t.Fatal("pod not waiting")
			}
			tt.act(f, pod)
			s := f.WaitOnPermit(ctx, pod)
			if s.Code() != tt.wantCode || s.Message() != tt.wantMsg {
				t.Errorf("WaitOnPermit = %v %q, want %v %q", s.Code(), s.Message(), tt.wantCode, tt.wantMsg)
			}
			if f.WillWaitOnPermit(ctx, pod) {
				t.Error("pod still waiting")
			}
		})
	}
}

func TestBindAndNominatedFilter(t *testing.T) {
	ctx := context.Background()
	b := &binder{bound: map[string]string{}}
	nom := NewNominator(nil)
	f := newTestFramework(t, schedulerplugins.Registry{"Binder": factory(b), "RejectA": factory(&rejectNode{name: "RejectA", node: "a"})},
		&configv1.Plugins{Filter: configv1.PluginSet{Enabled: names("RejectA")}}, WithPodNominator(nom))
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "p"}}
	if s := f.RunBindPlugins(ctx, cyclestate.New(), pod, "b"); !s.IsSuccess() || b.bound["p"] != "b" {
		t.Fatalf("bind = %v, bound %v", s, b.bound)
	}
	other, _ := nodeinfo.NewPodInfo(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "o", UID: "o"}})
	nom.AddNominatedPod(klogDiscard(), other, &fwk.NominatingInfo{NominatingMode: fwk.ModeOverride, NominatedNodeName: "b"})
	if got := f.NominatedPodsForNode("b"); len(got) != 1 {
		t.Fatalf("nominated = %v", got)
	}
	ni, _ := f.SnapshotSharedLister().NodeInfos().Get("b")
	if s := f.RunFilterPluginsWithNominatedPods(ctx, cyclestate.New(), pod, ni); !s.IsSuccess() {
		t.Errorf("filter with nominated = %v", s)
	}
	if len(ni.GetPods()) != 0 {
		t.Error("nominated pod leaked into the snapshot's NodeInfo")
	}
	nom.DeleteNominatedPodIfExists(other.Pod)
	if got := f.NominatedPodsForNode("b"); len(got) != 0 {
		t.Errorf("nominated after delete = %v", got)
	}
}
