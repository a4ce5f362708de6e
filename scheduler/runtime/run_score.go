package runtime

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

// RunPreScorePlugins runs PreScore plugins; Skip skips the plugin's Score, anything else
// but success is an error.
func (f *Framework) RunPreScorePlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo) *fwk.Status {
	skip := sets.New[string]()
	defer state.SetSkipScorePlugins(skip)
	for _, pl := range f.preScore {
		s := pl.PreScore(ctx, state, pod, nodes)
		if s.IsSkip() {
			skip.Insert(pl.Name())
			continue
		}
		if !s.IsSuccess() {
			return fwk.AsStatus(fmt.Errorf("running PreScore plugin %q: %w", pl.Name(), s.AsError()))
		}
	}
	return nil
}

// RunScorePlugins scores nodes with each non-skipped Score plugin in parallel, normalises
// per plugin, checks the [0, 100] range and applies the weights.
func (f *Framework) RunScorePlugins(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo) ([]fwk.NodePluginScores, *fwk.Status) {
	all := make([]fwk.NodePluginScores, len(nodes))
	var plugins []fwk.ScorePlugin
	for _, pl := range f.score {
		if !state.GetSkipScorePlugins().Has(pl.Name()) {
			plugins = append(plugins, pl)
		}
	}
	if len(plugins) == 0 {
		for i, n := range nodes {
			all[i] = fwk.NodePluginScores{Name: n.Node().Name, RawScores: []fwk.PluginScore{}, Scores: []fwk.PluginScore{}}
		}
		return all, nil
	}
	lists := make([]fwk.NodeScoreList, len(plugins))
	for i := range plugins {
		lists[i] = make(fwk.NodeScoreList, len(nodes))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errCh := newResultChannel[error]()
	f.parallelizer.Until(ctx, len(nodes), func(i int) {
		name := nodes[i].Node().Name
		raw := make([]fwk.PluginScore, len(plugins))
		for j, pl := range plugins {
			s, st := pl.Score(ctx, state, pod, nodes[i])
			if !st.IsSuccess() {
				errCh.sendWithCancel(fmt.Errorf("plugin %q failed with: %w", pl.Name(), st.AsError()), cancel)
				return
			}
			raw[j] = fwk.PluginScore{Name: pl.Name(), Score: s}
			lists[j][i] = fwk.NodeScore{Name: name, Score: s}
		}
		all[i] = fwk.NodePluginScores{Name: name, RawScores: raw}
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("running Score plugins: %w", err))
	}

	f.parallelizer.Until(ctx, len(plugins), func(j int) {
		ext := plugins[j].ScoreExtensions()
		if ext == nil {
			return
		}
		if st := ext.NormalizeScore(ctx, state, pod, lists[j]); !st.IsSuccess() {
			errCh.sendWithCancel(fmt.Errorf("plugin %q failed with: %w", plugins[j].Name(), st.AsError()), cancel)
		}
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("running Normalize on Score plugins: %w", err))
	}

	f.parallelizer.Until(ctx, len(nodes), func(i int) {
		scores := make([]fwk.PluginScore, len(plugins))
		var total int64
		for j, pl := range plugins {
			s := lists[j][i].Score
			if s > fwk.MaxScore || s < fwk.MinScore {
				errCh.sendWithCancel(fmt.Errorf("plugin %q returns an invalid score %v, it should in the range of [%v, %v] after normalizing",
					pl.Name(), s, fwk.MinScore, fwk.MaxScore), cancel)
				return
			}
			w := s * int64(f.scoreWeights[pl.Name()])
			scores[j] = fwk.PluginScore{Name: pl.Name(), Score: w}
			total += w
		}
		all[i].Scores = scores
		all[i].TotalScore = total
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("applying score defaultWeights on Score plugins: %w", err))
	}
	return all, nil
}
