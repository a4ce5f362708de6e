package podtopologyspread

import (
	"context"
	"maps"
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const preFilterStateKey fwk.StateKey = "PreFilter" + Name

// preFilterState has, per DoNotSchedule constraint, the matching pods per topology value and
// the two smallest domains.
type preFilterState struct {
	Constraints []constraint
	// CriticalPaths[i][0] is the domain with the fewest matches; [1] has at least as many.
	CriticalPaths []*criticalPaths
	// TpValueToMatchNum[i] maps topology values to matching pods.
	TpValueToMatchNum []map[string]int
}

// Clone copies the counts, which AddPod and RemovePod change.
func (s *preFilterState) Clone() fwk.StateData {
	if s == nil {
		return nil
	}
	c := &preFilterState{
		Constraints:       s.Constraints,
		CriticalPaths:     make([]*criticalPaths, len(s.CriticalPaths)),
		TpValueToMatchNum: make([]map[string]int, len(s.TpValueToMatchNum)),
	}
	for i, p := range s.CriticalPaths {
		cp := *p
		c.CriticalPaths[i] = &cp
	}
	for i, m := range s.TpValueToMatchNum {
		c.TpValueToMatchNum[i] = maps.Clone(m)
	}
	return c
}

// minMatchNum is the global minimum for skew: 0 while there are fewer domains than minDomains.
func (s *preFilterState) minMatchNum(i int, minDomains int32) int {
	if len(s.TpValueToMatchNum[i]) < int(minDomains) {
		return 0
	}
	return s.CriticalPaths[i][0].MatchNum
}

// criticalPaths keeps two domains, enough because preemption only removes pods on one node
// per evaluation and each node is evaluated on its own copy of the state.
type criticalPaths [2]struct {
	TopologyValue string
	MatchNum      int
}

func newCriticalPaths() *criticalPaths {
	return &criticalPaths{{MatchNum: math.MaxInt32}, {MatchNum: math.MaxInt32}}
}

func (p *criticalPaths) update(tpVal string, num int) {
	i := -1
	if tpVal == p[0].TopologyValue {
		i = 0
	} else if tpVal == p[1].TopologyValue {
		i = 1
	}
	if i >= 0 {
		p[i].MatchNum = num
		if p[0].MatchNum > p[1].MatchNum {
			p[0], p[1] = p[1], p[0]
		}
		return
	}
	if num < p[0].MatchNum {
		p[1] = p[0]
		p[0].TopologyValue, p[0].MatchNum = tpVal, num
	} else if num < p[1].MatchNum {
		p[1].TopologyValue, p[1].MatchNum = tpVal, num
	}
}

// PreFilter counts, per DoNotSchedule constraint, the matching pods in each topology domain of
// the eligible nodes; Skip when the pod has no such constraints.
func (pl *Plugin) PreFilter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	s, err := pl.calPreFilterState(ctx, pod, nodes)
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	if len(s.Constraints) == 0 {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, s)
	return nil, nil
}

type topologyCount struct {
	value      string
	constraint int
	count      int
}

func (pl *Plugin) calPreFilterState(ctx context.Context, pod *corev1.Pod, nodes []fwk.NodeInfo) (*preFilterState, error) {
	constraints, err := pl.constraints(pod, corev1.DoNotSchedule)
	if err != nil || len(constraints) == 0 {
		return &preFilterState{}, err
	}
	s := &preFilterState{
		Constraints:       constraints,
		CriticalPaths:     make([]*criticalPaths, len(constraints)),
		TpValueToMatchNum: make([]map[string]int, len(constraints)),
	}
	for i := range constraints {
		size := 0
		if constraints[i].TopologyKey == corev1.LabelHostname {
			size = len(nodes)
		}
		s.TpValueToMatchNum[i] = make(map[string]int, size)
	}
	logger := klog.FromContext(ctx)
	required := nodeaffinity.GetRequiredNodeAffinity(pod)
	perNode := make([][]topologyCount, len(nodes))
	pl.parallelizer.Until(ctx, len(nodes), func(n int) {
		node := nodes[n].Node()
		if !nodeHasAllKeys(node.Labels, constraints) {
			return
		}
		counts := make([]topologyCount, 0, len(constraints))
		for i := range constraints {
			c := &constraints[i]
			if !c.includesNode(logger, pod, node, required) {
				continue
			}
			counts = append(counts, topologyCount{value: node.Labels[c.TopologyKey], constraint: i,
				count: countMatching(nodes[n].GetPods(), c.Selector, pod.Namespace)})
		}
		perNode[n] = counts
	}, Name)
	for _, counts := range perNode {
		for _, c := range counts {
			s.TpValueToMatchNum[c.constraint][c.value] += c.count
		}
	}
	for i := range constraints {
		s.CriticalPaths[i] = newCriticalPaths()
		for v, n := range s.TpValueToMatchNum[i] {
			s.CriticalPaths[i].update(v, n)
		}
	}
	return s, nil
}

// PreFilterExtensions returns the plugin, which updates the counts for preemption.
func (pl *Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return pl }

// AddPod counts podInfoToAdd on nodeInfo's node.
func (pl *Plugin) AddPod(ctx context.Context, cs fwk.CycleState, podToSchedule *corev1.Pod, podInfoToAdd fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	return pl.updateWithPod(ctx, cs, podInfoToAdd.GetPod(), podToSchedule, nodeInfo.Node(), 1)
}

// RemovePod uncounts podInfoToRemove on nodeInfo's node.
func (pl *Plugin) RemovePod(ctx context.Context, cs fwk.CycleState, podToSchedule *corev1.Pod, podInfoToRemove fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	return pl.updateWithPod(ctx, cs, podInfoToRemove.GetPod(), podToSchedule, nodeInfo.Node(), -1)
}

func (pl *Plugin) updateWithPod(ctx context.Context, cs fwk.CycleState, updated, preemptor *corev1.Pod, node *corev1.Node, delta int) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if updated.Namespace != preemptor.Namespace || node == nil || !nodeHasAllKeys(node.Labels, s.Constraints) {
		return nil
	}
	logger := klog.FromContext(ctx)
	required := nodeaffinity.GetRequiredNodeAffinity(preemptor)
	podLabels := labels.Set(updated.Labels)
	for i := range s.Constraints {
		c := &s.Constraints[i]
		if !c.Selector.Matches(podLabels) || !c.includesNode(logger, preemptor, node, required) {
			continue
		}
		v := node.Labels[c.TopologyKey]
		s.TpValueToMatchNum[i][v] += delta
		s.CriticalPaths[i].update(v, s.TpValueToMatchNum[i][v])
	}
	return nil
}

// Filter rejects the node when placing the pod there would make a domain's matching count
// exceed the global minimum by more than maxSkew.
func (pl *Plugin) Filter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	node := nodeInfo.Node()
	podLabels := labels.Set(pod.Labels)
	for i := range s.Constraints {
		c := &s.Constraints[i]
		tpVal, ok := node.Labels[c.TopologyKey]
		if !ok {
			klog.FromContext(ctx).V(5).Info("Node doesn't have required topology label for spread constraint", "node", klog.KObj(node), "topologyKey", c.TopologyKey)
			return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNodeLabelNotMatch)
		}
		self := 0
		if c.Selector.Matches(podLabels) {
			self = 1
		}
		minMatch := s.minMatchNum(i, c.MinDomains)
		matchNum := s.TpValueToMatchNum[i][tpVal]
		if skew := matchNum + self - minMatch; skew > int(c.MaxSkew) {
			klog.FromContext(ctx).V(5).Info("Node failed spreadConstraint: matchNum + selfMatchNum - minMatchNum > maxSkew", "node", klog.KObj(node),
				"topologyKey", c.TopologyKey, "matchNum", matchNum, "selfMatchNum", self, "minMatchNum", minMatch, "maxSkew", c.MaxSkew)
			return fwk.NewStatus(fwk.Unschedulable, ErrReasonConstraintsNotMatch)
		}
	}
	return nil
}
