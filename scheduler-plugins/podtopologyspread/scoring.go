package podtopologyspread

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	preScoreStateKey fwk.StateKey = "PreScore" + Name
	invalidScore                  = -1
)

// preScoreState has the ScheduleAnyway constraints and matching pods per topology value
// (hostname counts are taken per node in Score).
type preScoreState struct {
	Constraints []constraint
	// IgnoredNodes lack some topology key and score 0.
	IgnoredNodes sets.Set[string]
	// TopologyValueToPodCounts[i] maps the candidate nodes' topology values to matching pods.
	TopologyValueToPodCounts []map[string]*int64
	// TopologyNormalizingWeight[i] keeps small topologies from being drowned by big ones.
	TopologyNormalizingWeight []float64
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() fwk.StateData { return s }

// PreScore counts matching pods per topology value over all nodes; Skip when the pod has no
// ScheduleAnyway constraints (its own or the defaults).
func (pl *Plugin) PreScore(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, filtered []fwk.NodeInfo) *fwk.Status {
	all, err := pl.sharedLister.NodeInfos().List()
	if err != nil {
		return fwk.AsStatus(fmt.Errorf("getting all nodes: %w", err))
	}
	if len(all) == 0 {
		return fwk.NewStatus(fwk.Skip)
	}
	s := &preScoreState{IgnoredNodes: sets.New[string]()}
	// System default constraints don't require every key, so nodes without a zone label still
	// get hostname spreading.
	requireAll := len(pod.Spec.TopologySpreadConstraints) > 0 || !pl.systemDefaulted
	if err := pl.initPreScoreState(s, pod, filtered, requireAll); err != nil {
		return fwk.AsStatus(fmt.Errorf("calculating preScoreState: %w", err))
	}
	if len(s.Constraints) == 0 {
		return fwk.NewStatus(fwk.Skip)
	}
	logger := klog.FromContext(ctx)
	required := nodeaffinity.GetRequiredNodeAffinity(pod)
	pl.parallelizer.Until(ctx, len(all), func(n int) {
		node := all[n].Node()
		if requireAll && !nodeHasAllKeys(node.Labels, s.Constraints) {
			return
		}
		for i := range s.Constraints {
			c := &s.Constraints[i]
			if !c.includesNode(logger, pod, node, required) {
				continue
			}
			// Only domains of candidate nodes are counted; hostname is counted in Score.
			cnt := s.TopologyValueToPodCounts[i][node.Labels[c.TopologyKey]]
			if cnt == nil {
				continue
			}
			atomic.AddInt64(cnt, int64(countMatching(all[n].GetPods(), c.Selector, pod.Namespace)))
		}
	}, Name)
	cs.Write(preScoreStateKey, s)
	return nil
}

func (pl *Plugin) initPreScoreState(s *preScoreState, pod *corev1.Pod, filtered []fwk.NodeInfo, requireAll bool) error {
	var err error
	if s.Constraints, err = pl.constraints(pod, corev1.ScheduleAnyway); err != nil || len(s.Constraints) == 0 {
		return err
	}
	s.TopologyValueToPodCounts = make([]map[string]*int64, len(s.Constraints))
	for i := range s.Constraints {
		s.TopologyValueToPodCounts[i] = map[string]*int64{}
	}
	sizes := make([]int, len(s.Constraints))
	for _, ni := range filtered {
		node := ni.Node()
		if requireAll && !nodeHasAllKeys(node.Labels, s.Constraints) {
			s.IgnoredNodes.Insert(node.Name)
			continue
		}
		for i := range s.Constraints {
			key := s.Constraints[i].TopologyKey
			if key == corev1.LabelHostname {
				continue
			}
			v := node.Labels[key]
			if s.TopologyValueToPodCounts[i][v] == nil {
				s.TopologyValueToPodCounts[i][v] = new(int64)
				sizes[i]++
			}
		}
	}
	s.TopologyNormalizingWeight = make([]float64, len(s.Constraints))
	for i := range s.Constraints {
		size := sizes[i]
		if s.Constraints[i].TopologyKey == corev1.LabelHostname {
			size = len(filtered) - len(s.IgnoredNodes)
		}
		// log(size+2) is in (1.09, 8.52) for up to 5000 nodes.
		s.TopologyNormalizingWeight[i] = math.Log(float64(size + 2))
	}
	return nil
}

// Score is the weighted number of matching pods in the node's domains (fewer is better;
// NormalizeScore reverses it).
func (pl *Plugin) Score(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	node := nodeInfo.Node()
	if s.IgnoredNodes.Has(node.Name) {
		return 0, nil
	}
	var score float64
	for i := range s.Constraints {
		c := &s.Constraints[i]
		v, ok := node.Labels[c.TopologyKey]
		if !ok {
			continue
		}
		var cnt int64
		if c.TopologyKey == corev1.LabelHostname {
			cnt = int64(countMatching(nodeInfo.GetPods(), c.Selector, pod.Namespace))
		} else {
			cnt = *s.TopologyValueToPodCounts[i][v]
		}
		// maxSkew-1 waters down small differences between domains.
		score += float64(cnt)*s.TopologyNormalizingWeight[i] + float64(c.MaxSkew-1)
	}
	return int64(math.Round(score)), nil
}

// ScoreExtensions returns the plugin, which normalises its scores.
func (pl *Plugin) ScoreExtensions() fwk.ScoreExtensions { return pl }

// NormalizeScore maps scores to [0, MaxNodeScore], the least crowded node highest; ignored
// nodes get 0.
func (pl *Plugin) NormalizeScore(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, scores fwk.NodeScoreList) *fwk.Status {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	var minScore int64 = math.MaxInt64
	var maxScore int64
	for i := range scores {
		if s.IgnoredNodes.Has(scores[i].Name) {
			scores[i].Score = invalidScore
			continue
		}
		minScore = min(minScore, scores[i].Score)
		maxScore = max(maxScore, scores[i].Score)
	}
	for i := range scores {
		switch {
		case scores[i].Score == invalidScore:
			scores[i].Score = 0
		case maxScore == 0:
			scores[i].Score = fwk.MaxNodeScore
		default:
			scores[i].Score = fwk.MaxNodeScore * (maxScore + minScore - scores[i].Score) / maxScore
		}
	}
	return nil
}
