package interpodaffinity

import (
	"context"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

const (
	preFilterStateKey fwk.StateKey = "PreFilter" + Name

	// ErrReasonExistingAntiAffinityRulesNotMatch is the Filter status reason when an existing
	// pod's anti-affinity rejects the pod.
	ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules"
	// ErrReasonAffinityRulesNotMatch is the Filter status reason when the pod's affinity isn't met.
	ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules"
	// ErrReasonAntiAffinityRulesNotMatch is the Filter status reason when the pod's
	// anti-affinity is violated.
	ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules"
)

type topologyPair struct{ key, value string }

// topologyCounts counts matching pods per topology pair.
type topologyCounts map[topologyPair]int64

// add adds value for node's topology value of key, if the node has the key; a nil map is
// allocated on first use.
func (m *topologyCounts) add(node *corev1.Node, key string, value int64) {
	v, ok := node.Labels[key]
	if !ok {
		return
	}
	if *m == nil {
		*m = topologyCounts{}
	}
	p := topologyPair{key, v}
	if (*m)[p] += value; (*m)[p] == 0 {
		delete(*m, p)
	}
}

// addAffinity counts pod in every term's domain when it matches all terms.
func (m *topologyCounts) addAffinity(terms []fwk.AffinityTerm, pod *corev1.Pod, node *corev1.Node, value int64) {
	if podMatchesAllTerms(terms, pod) {
		for i := range terms {
			m.add(node, terms[i].TopologyKey, value)
		}
	}
}

// addAntiAffinity counts pod in the domain of each term it matches.
func (m *topologyCounts) addAntiAffinity(terms []fwk.AffinityTerm, pod *corev1.Pod, nsLabels labels.Set, node *corev1.Node, value int64) {
	for i := range terms {
		if terms[i].Matches(pod, nsLabels) {
			m.add(node, terms[i].TopologyKey, value)
		}
	}
}

// preFilterState holds, per topology pair, the existing pods whose anti-affinity rejects the
// pod, and the existing pods matching the pod's affinity and anti-affinity.
type preFilterState struct {
	existingAntiAffinityCounts topologyCounts
	affinityCounts             topologyCounts
	antiAffinityCounts         topologyCounts
	pod                        *corev1.Pod
	// The pod's required terms, namespace selectors merged.
	affinityTerms, antiAffinityTerms []fwk.AffinityTerm
	namespaceLabels                  labels.Set
}

// Clone copies the counts, which AddPod and RemovePod change.
func (s *preFilterState) Clone() fwk.StateData {
	if s == nil {
		return nil
	}
	c := *s
	c.existingAntiAffinityCounts = maps.Clone(s.existingAntiAffinityCounts)
	c.affinityCounts = maps.Clone(s.affinityCounts)
	c.antiAffinityCounts = maps.Clone(s.antiAffinityCounts)
	return &c
}

func (s *preFilterState) updateWithPod(pi fwk.PodInfo, node *corev1.Node, value int64) {
	s.existingAntiAffinityCounts.addAntiAffinity(pi.GetRequiredAntiAffinityTerms(), s.pod, s.namespaceLabels, node, value)
	s.affinityCounts.addAffinity(s.affinityTerms, pi.GetPod(), node, value)
	s.antiAffinityCounts.addAntiAffinity(s.antiAffinityTerms, pi.GetPod(), nil, node, value)
}

// PreFilter counts, per topology pair, the existing pods that matter to the pod's required
// (anti-)affinity and the existing pods whose required anti-affinity matches the pod; Skip
// when there are none of either.
func (pl *Plugin) PreFilter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	pi, err := nodeinfo.NewPodInfo(pod)
	if err != nil {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, fmt.Sprintf("parsing pod: %+v", err))
	}
	s := &preFilterState{pod: pod, affinityTerms: pi.RequiredAffinityTerms, antiAffinityTerms: pi.RequiredAntiAffinityTerms}
	for _, terms := range [][]fwk.AffinityTerm{s.affinityTerms, s.antiAffinityTerms} {
		for i := range terms {
			if err := pl.mergeNamespaces(&terms[i]); err != nil {
				return nil, fwk.AsStatus(err)
			}
		}
	}
	s.namespaceLabels = pl.namespaceLabels(klog.FromContext(ctx), pod.Namespace)

	withAnti, err := pl.sharedLister.NodeInfos().HavePodsWithRequiredAntiAffinityList()
	if err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("failed to list NodeInfos with pods with affinity: %w", err))
	}
	s.existingAntiAffinityCounts = pl.existingAntiAffinityCounts(ctx, pod, s.namespaceLabels, withAnti)
	s.affinityCounts, s.antiAffinityCounts = pl.incomingCounts(ctx, s, nodes)

	if len(s.existingAntiAffinityCounts) == 0 && len(s.affinityTerms) == 0 && len(s.antiAffinityTerms) == 0 {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, s)
	return nil, nil
}

// existingAntiAffinityCounts counts existing pods whose required anti-affinity terms match pod.
func (pl *Plugin) existingAntiAffinityCounts(ctx context.Context, pod *corev1.Pod, nsLabels labels.Set, nodes []fwk.NodeInfo) topologyCounts {
	perNode := make([]topologyCounts, len(nodes))
	pl.parallelizer.Until(ctx, len(nodes), func(i int) {
		node := nodes[i].Node()
		var m topologyCounts
		for _, existing := range nodes[i].GetPodsWithRequiredAntiAffinity() {
			for _, t := range existing.GetRequiredAntiAffinityTerms() {
				if t.Matches(pod, nsLabels) {
					m.add(node, t.TopologyKey, 1)
				}
			}
		}
		perNode[i] = m
	}, Name)
	return mergeCounts(perNode)
}

// incomingCounts counts existing pods matching the pod's affinity (all terms) and
// anti-affinity (each term).
func (pl *Plugin) incomingCounts(ctx context.Context, s *preFilterState, nodes []fwk.NodeInfo) (topologyCounts, topologyCounts) {
	if len(s.affinityTerms) == 0 && len(s.antiAffinityTerms) == 0 {
		return topologyCounts{}, topologyCounts{}
	}
	aff, anti := make([]topologyCounts, len(nodes)), make([]topologyCounts, len(nodes))
	pl.parallelizer.Until(ctx, len(nodes), func(i int) {
		node := nodes[i].Node()
		var a, n topologyCounts
		for _, existing := range nodes[i].GetPods() {
			a.addAffinity(s.affinityTerms, existing.GetPod(), node, 1)
			n.addAntiAffinity(s.antiAffinityTerms, existing.GetPod(), nil, node, 1)
		}
		aff[i], anti[i] = a, n
	}, Name)
	return mergeCounts(aff), mergeCounts(anti)
}

func mergeCounts(parts []topologyCounts) topologyCounts {
	out := topologyCounts{}
	for _, m := range parts {
		for p, n := range m {
			out[p] += n
		}
	}
	return out
}

// PreFilterExtensions returns the plugin, which updates the counts for preemption.
func (pl *Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return pl }

// AddPod counts podInfoToAdd on nodeInfo's node.
func (pl *Plugin) AddPod(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, podInfoToAdd fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	s.updateWithPod(podInfoToAdd, nodeInfo.Node(), 1)
	return nil
}

// RemovePod uncounts podInfoToRemove on nodeInfo's node.
func (pl *Plugin) RemovePod(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, podInfoToRemove fwk.PodInfo, nodeInfo fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	s.updateWithPod(podInfoToRemove, nodeInfo.Node(), -1)
	return nil
}

// Filter checks the pod's affinity, its anti-affinity, and existing pods' anti-affinity.
func (pl *Plugin) Filter(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	node := nodeInfo.Node()
	if !s.satisfiesAffinity(node) {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonAffinityRulesNotMatch)
	}
	if len(s.antiAffinityCounts) > 0 {
		for i := range s.antiAffinityTerms {
			key := s.antiAffinityTerms[i].TopologyKey
			if v, ok := node.Labels[key]; ok && s.antiAffinityCounts[topologyPair{key, v}] > 0 {
				return fwk.NewStatus(fwk.Unschedulable, ErrReasonAntiAffinityRulesNotMatch)
			}
		}
	}
	if len(s.existingAntiAffinityCounts) > 0 {
		for k, v := range node.Labels {
			if s.existingAntiAffinityCounts[topologyPair{k, v}] > 0 {
				return fwk.NewStatus(fwk.Unschedulable, ErrReasonExistingAntiAffinityRulesNotMatch)
			}
		}
	}
	return nil
}

// satisfiesAffinity: the node has every term's key and each of its domains holds a pod
// matching all terms; or no pod anywhere matches and the pod matches its own terms (the first
// of a group with affinity to itself).
func (s *preFilterState) satisfiesAffinity(node *corev1.Node) bool {
	if len(s.affinityTerms) == 0 {
		return true
	}
	podsExist := true
	for i := range s.affinityTerms {
		key := s.affinityTerms[i].TopologyKey
		v, ok := node.Labels[key]
		if !ok {
			return false
		}
		if s.affinityCounts[topologyPair{key, v}] <= 0 {
			podsExist = false
		}
	}
	if podsExist {
		return true
	}
	return len(s.affinityCounts) == 0 && podMatchesAllTerms(s.affinityTerms, s.pod)
}
