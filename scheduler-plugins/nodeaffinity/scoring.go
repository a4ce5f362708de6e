package nodeaffinity

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

type preScoreState struct {
	preferred *nodeaffinity.PreferredSchedulingTerms
}

// Clone returns s: the state is read-only.
func (s *preScoreState) Clone() fwk.StateData { return s }

func podPreferredTerms(pod *corev1.Pod) (*nodeaffinity.PreferredSchedulingTerms, error) {
	aff := pod.Spec.Affinity
	if aff != nil && aff.NodeAffinity != nil && aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution != nil {
		return nodeaffinity.NewPreferredSchedulingTerms(aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	return nil, nil
}

// PreScore parses the pod's preferred node affinity; Skip when there is nothing to score.
func (pl *Plugin) PreScore(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	preferred, err := podPreferredTerms(pod)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if preferred == nil && pl.addedPrefSchedTerms == nil {
		return fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preScoreStateKey, &preScoreState{preferred: preferred})
	return nil
}

// Score sums the weights of the preferred terms (the pod's and addedAffinity's) the node matches.
func (pl *Plugin) Score(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	node := nodeInfo.Node()
	var score int64
	if pl.addedPrefSchedTerms != nil {
		score += pl.addedPrefSchedTerms.Score(node)
	}
	s, err := helper.ReadState[*preScoreState](cs, preScoreStateKey)
	if err != nil {
		preferred, err := podPreferredTerms(pod)
		if err != nil {
			return 0, fwk.AsStatus(err)
		}
		s = &preScoreState{preferred: preferred}
	}
	if s.preferred != nil {
		score += s.preferred.Score(node)
	}
	return score, nil
}

// ScoreExtensions returns the plugin, which normalises its scores.
func (pl *Plugin) ScoreExtensions() fwk.ScoreExtensions { return pl }

// NormalizeScore maps the sums to [0, MaxNodeScore].
func (*Plugin) NormalizeScore(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, scores fwk.NodeScoreList) *fwk.Status {
	return helper.DefaultNormalizeScore(fwk.MaxNodeScore, false, scores)
}
