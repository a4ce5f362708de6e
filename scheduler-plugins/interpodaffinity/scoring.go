package interpodaffinity

import (
	"context"
	"fmt"
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

const preScoreStateKey fwk.StateKey = "PreScore" + Name

// scoreMap sums weights per topology key and value.
type scoreMap map[string]map[string]int64

func (m scoreMap) processTerm(t *fwk.AffinityTerm, weight int32, pod *corev1.Pod, nsLabels labels.Set, node *corev1.Node, sign int32) {
	if !t.Matches(pod, nsLabels) {
		return
	}
	v, ok := node.Labels[t.TopologyKey]
	if !ok {
		return
	}
	if m[t.TopologyKey] == nil {
		m[t.TopologyKey] = map[string]int64{}
	}
	m[t.TopologyKey][v] += int64(weight * sign)
}

func (m scoreMap) processTerms(terms []fwk.WeightedAffinityTerm, pod *corev1.Pod, nsLabels labels.Set, node *corev1.Node, sign int32) {
	for i := range terms {
		m.processTerm(&terms[i].AffinityTerm, terms[i].Weight, pod, nsLabels, node, sign)
	}
}

func (m scoreMap) append(other scoreMap) {
	for key, values := range other {
		mine := m[key]
		if mine == nil {
			m[key] = values
			continue
		}
		for v, n := range values {
			mine[v] += n
		}
	}
}

type preScoreState struct {
	topologyScore   scoreMap
	podInfo         fwk.PodInfo
	namespaceLabels labels.Set
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() fwk.StateData { return s }

// processExistingPod adds, in existing's node's domains, the pod's preferred terms existing
// matches, and existing's required (hardPodAffinityWeight) and preferred terms the pod matches.
func (pl *Plugin) processExistingPod(s *preScoreState, existing fwk.PodInfo, node *corev1.Node, pod *corev1.Pod, m scoreMap) {
	if len(node.Labels) == 0 {
		return
	}
	// The pod's namespace selectors are merged, so no namespace labels are needed.
	m.processTerms(s.podInfo.GetPreferredAffinityTerms(), existing.GetPod(), nil, node, 1)
	m.processTerms(s.podInfo.GetPreferredAntiAffinityTerms(), existing.GetPod(), nil, node, -1)
	if pl.hardPodAffinityWeight > 0 {
		for _, t := range existing.GetRequiredAffinityTerms() {
			m.processTerm(&t, pl.hardPodAffinityWeight, pod, s.namespaceLabels, node, 1)
		}
	}
	m.processTerms(existing.GetPreferredAffinityTerms(), pod, s.namespaceLabels, node, 1)
	m.processTerms(existing.GetPreferredAntiAffinityTerms(), pod, s.namespaceLabels, node, -1)
}

// PreScore sums term weights per topology domain over the existing pods (only pods with
// affinity unless the pod has preferred terms); Skip when nothing contributes.
func (pl *Plugin) PreScore(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	a := pod.Spec.Affinity
	hasPreferred := a != nil && ((a.PodAffinity != nil && len(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0) ||
		(a.PodAntiAffinity != nil && len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) > 0))
	if pl.ignorePreferredTermsOfExistingPods && !hasPreferred {
		return fwk.NewStatus(fwk.Skip)
	}
	var nodes []fwk.NodeInfo
	var err error
	if hasPreferred {
		nodes, err = pl.sharedLister.NodeInfos().List()
	} else {
		nodes, err = pl.sharedLister.NodeInfos().HavePodsWithAffinityList()
	}
	if err != nil {
		return fwk.AsStatus(fmt.Errorf("failed to list nodes: %w", err))
	}
	if len(nodes) == 0 {
		return fwk.NewStatus(fwk.Skip)
	}
	pi, err := nodeinfo.NewPodInfo(pod)
	if err != nil {
		return fwk.AsStatus(fmt.Errorf("failed to parse pod: %w", err))
	}
	for _, terms := range [][]fwk.WeightedAffinityTerm{pi.PreferredAffinityTerms, pi.PreferredAntiAffinityTerms} {
		for i := range terms {
			if err := pl.mergeNamespaces(&terms[i].AffinityTerm); err != nil {
				return fwk.AsStatus(fmt.Errorf("updating preferred affinity terms: %w", err))
			}
		}
	}
	s := &preScoreState{topologyScore: scoreMap{}, podInfo: pi, namespaceLabels: pl.namespaceLabels(klog.FromContext(ctx), pod.Namespace)}
	perNode := make([]scoreMap, len(nodes))
	pl.parallelizer.Until(ctx, len(nodes), func(i int) {
		pods := nodes[i].GetPodsWithAffinity()
		if hasPreferred {
			pods = nodes[i].GetPods()
		}
		m := scoreMap{}
		for _, existing := range pods {
			pl.processExistingPod(s, existing, nodes[i].Node(), pod, m)
		}
		if len(m) > 0 {
			perNode[i] = m
		}
	}, Name)
	for _, m := range perNode {
		s.topologyScore.append(m)
	}
	if len(s.topologyScore) == 0 {
		return fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preScoreStateKey, s)
	return nil
}

// Score sums the weights of the node's domains (positive for affinity, negative for
// anti-affinity).
func (pl *Plugin) Score(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	node := nodeInfo.Node()
	var score int64
	for key, values := range s.topologyScore {
		if v, ok := node.Labels[key]; ok {
			score += values[v]
		}
	}
	return score, nil
}

// ScoreExtensions returns the plugin, which normalises its scores.
func (pl *Plugin) ScoreExtensions() fwk.ScoreExtensions { return pl }

// NormalizeScore maps [min, max] onto [0, MaxNodeScore].
func (pl *Plugin) NormalizeScore(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, scores fwk.NodeScoreList) *fwk.Status {
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if len(s.topologyScore) == 0 {
		return nil
	}
	var lo, hi int64 = math.MaxInt64, math.MinInt64
	for i := range scores {
		lo, hi = min(lo, scores[i].Score), max(hi, scores[i].Score)
	}
	diff := hi - lo
	for i := range scores {
		f := 0.0
		if diff > 0 {
			f = float64(fwk.MaxNodeScore) * float64(scores[i].Score-lo) / float64(diff)
		}
		scores[i].Score = int64(f)
	}
	return nil
}
