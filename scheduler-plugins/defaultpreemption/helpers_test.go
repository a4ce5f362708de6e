package defaultpreemption

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	listersv1 "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	"k8s.io/client-go/tools/cache"
	fwk "k8s.io/kube-scheduler/framework"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler-plugins/noderesources"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

var testNow = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// testHandle runs NodeResourcesFit as the profile's only PreFilter/Filter plugin.
type testHandle struct {
	plugintest.Handle
	fit       *noderesources.Fit
	nominated map[string][]fwk.PodInfo
}

func (h *testHandle) RunFilterPluginsWithNominatedPods(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, ni fwk.NodeInfo) *fwk.Status {
	s := h.fit.Filter(ctx, cs, pod, ni)
	if !s.IsSuccess() {
		s.SetPlugin(noderesources.Name)
	}
	return s
}

func (h *testHandle) RunPreFilterExtensionAddPod(context.Context, fwk.CycleState, *corev1.Pod, fwk.PodInfo, fwk.NodeInfo) *fwk.Status {
	return nil
}

func (h *testHandle) RunPreFilterExtensionRemovePod(context.Context, fwk.CycleState, *corev1.Pod, fwk.PodInfo, fwk.NodeInfo) *fwk.Status {
	return nil
}

func (h *testHandle) NominatedPodsForNode(node string) []fwk.PodInfo { return h.nominated[node] }

// statusReader is a NodeToStatusReader with explicit statuses and one for the rest.
type statusReader struct {
	byNode map[string]*fwk.Status
	absent *fwk.Status
}

func (r statusReader) Get(n string) *fwk.Status {
	if s, ok := r.byNode[n]; ok {
		return s
	}
	return r.absent
}

func (r statusReader) NodesForStatusCode(l fwk.NodeInfoLister, code fwk.Code) ([]fwk.NodeInfo, error) {
	all, err := l.List()
	if err != nil {
		return nil, err
	}
	var out []fwk.NodeInfo
	for _, ni := range all {
		if r.Get(ni.Node().Name).Code() == code {
			out = append(out, ni)
		}
	}
	return out, nil
}

// allUnschedulable says every node failed Filter with Unschedulable.
var allUnschedulable = statusReader{absent: fwk.NewStatus(fwk.Unschedulable, "Insufficient cpu")}

// newTestPlugin builds the plugin over a snapshot of nodes and pods (the preemptor among
// them, unbound) with the given PDBs.
func newTestPlugin(t *testing.T, nodes []*corev1.Node, pods []*corev1.Pod, pdbs []*policyv1.PodDisruptionBudget) (*Plugin, *testHandle) {
	t.Helper()
	podIdx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, p := range pods {
		if err := podIdx.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	pdbIdx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, p := range pdbs {
		if err := pdbIdx.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	fit, err := noderesources.NewFit(context.Background(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &testHandle{Handle: plugintest.Handle{Lister: nodeinfo.NewSnapshot(pods, nodes)}, fit: fit.(*noderesources.Fit)}
	a, err := parseArgs(nil)
	if err != nil {
		t.Fatal(err)
	}
	pl := &Plugin{
		h: h, args: a,
		podLister: listersv1.NewPodLister(podIdx),
		pdbLister: policylisters.NewPodDisruptionBudgetLister(pdbIdx),
		clock:     clocktesting.NewFakePassiveClock(testNow),
		offset:    func(int32) int32 { return 0 },
	}
	return pl, h
}

// cycleFor runs Fit's PreFilter for pod, as the scheduling cycle would before PostFilter.
func (h *testHandle) cycleFor(t *testing.T, pod *corev1.Pod) *cyclestate.CycleState {
	t.Helper()
	cs := cyclestate.New()
	if _, s := h.fit.PreFilter(context.Background(), cs, pod, nil); !s.IsSuccess() {
		t.Fatalf("PreFilter: %v", s)
	}
	return cs
}

// prePod is a pod with a priority requesting cpu, bound to node unless node is "".
func prePod(name, node string, prio int32, cpu string) *corev1.Pod {
	p := plugintest.MakePod(name).Node(node).Req(map[string]string{"cpu": cpu}).Obj()
	p.Spec.Priority = &prio
	return p
}

func started(p *corev1.Pod, ago time.Duration) *corev1.Pod {
	t := metav1.NewTime(testNow.Add(-ago))
	p.Status.StartTime = &t
	return p
}

func labelled(p *corev1.Pod, k, v string) *corev1.Pod {
	if p.Labels == nil {
		p.Labels = map[string]string{}
	}
	p.Labels[k] = v
	return p
}

func cpuNode(name, cpu string) *corev1.Node {
	return plugintest.MakeNode(name).Capacity(map[string]string{"cpu": cpu, "memory": "8Gi", "pods": "110"}).Obj()
}

func pdb(name string, selector map[string]string, allowed int32, disrupted ...string) *policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	p := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       policyv1.PodDisruptionBudgetSpec{MinAvailable: &one, Selector: &metav1.LabelSelector{MatchLabels: selector}},
		Status:     policyv1.PodDisruptionBudgetStatus{DisruptionsAllowed: allowed},
	}
	if len(disrupted) > 0 {
		p.Status.DisruptedPods = map[string]metav1.Time{}
		for _, d := range disrupted {
			p.Status.DisruptedPods[d] = metav1.NewTime(testNow)
		}
	}
	return p
}

func names(pods []*corev1.Pod) []string {
	out := make([]string, len(pods))
	for i, p := range pods {
		out[i] = p.Name
	}
	return out
}
