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
	return f.ScoreNodes(ctx, state, pod, nodes, nil)
}

// ScoreBuffer is memory ScoreNodes reuses from one call to the next; the scores it returned
// are overwritten by the next call with the same buffer.
type ScoreBuffer struct {
	all           []fwk.NodePluginScores
	raw, weighted []fwk.PluginScore
	lists         []fwk.NodeScore
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// ScoreNodes is RunScorePlugins with its memory taken from buf (nil: allocated). The
// per-node score slices are cut from two arrays, and only plugins that normalise get a
// NodeScoreList: allocated afresh for hundreds of nodes, the scores were half of the
// scheduler's garbage.
func (f *Framework) ScoreNodes(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodes []fwk.NodeInfo, buf *ScoreBuffer) ([]fwk.NodePluginScores, *fwk.Status) {
	if buf == nil {
		buf = &ScoreBuffer{}
	}
	buf.all = grow(buf.all, len(nodes))
	all := buf.all
	skip := state.GetSkipScorePlugins()
	var plugins []fwk.ScorePlugin
	for _, pl := range f.score {
		if !skip.Has(pl.Name()) {
			plugins = append(plugins, pl)
		}
	}
	if len(plugins) == 0 {
		for i, n := range nodes {
			all[i] = fwk.NodePluginScores{Name: n.Node().Name, RawScores: []fwk.PluginScore{}, Scores: []fwk.PluginScore{}}
		}
		return all, nil
	}
	np := len(plugins)
	names := make([]string, np)
	weights := make([]int64, np)
	exts := make([]fwk.ScoreExtensions, np)
	// lists[j] is the NodeScoreList of plugin j when it normalises, else nil.
	lists := make([]fwk.NodeScoreList, np)
	normalizing := 0
	for j, pl := range plugins {
		names[j], weights[j] = pl.Name(), int64(f.scoreWeights[pl.Name()])
		if exts[j] = pl.ScoreExtensions(); exts[j] != nil {
			normalizing++
		}
	}
	buf.lists = grow(buf.lists, normalizing*len(nodes))
	for j, k := 0, 0; j < np; j++ {
		if exts[j] != nil {
			lists[j] = buf.lists[k*len(nodes) : (k+1)*len(nodes) : (k+1)*len(nodes)]
			k++
		}
	}
	buf.raw = grow(buf.raw, len(nodes)*np)
	buf.weighted = grow(buf.weighted, len(nodes)*np)
	raw, weighted := buf.raw, buf.weighted
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errCh := newResultChannel[error]()
	f.parallelizer.Until(ctx, len(nodes), func(i int) {
		name := nodes[i].Node().Name
		r := raw[i*np : (i+1)*np : (i+1)*np]
		for j, pl := range plugins {
			s, st := pl.Score(ctx, state, pod, nodes[i])
			if !st.IsSuccess() {
				errCh.sendWithCancel(fmt.Errorf("plugin %q failed with: %w", names[j], st.AsError()), cancel)
				return
			}
			r[j] = fwk.PluginScore{Name: names[j], Score: s}
			if lists[j] != nil {
				lists[j][i] = fwk.NodeScore{Name: name, Score: s}
			}
		}
		all[i] = fwk.NodePluginScores{Name: name, RawScores: r}
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("running Score plugins: %w", err))
	}

	f.parallelizer.Until(ctx, np, func(j int) {
		if exts[j] == nil {
			return
		}
		if st := exts[j].NormalizeScore(ctx, state, pod, lists[j]); !st.IsSuccess() {
			errCh.sendWithCancel(fmt.Errorf("plugin %q failed with: %w", names[j], st.AsError()), cancel)
		}
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("running Normalize on Score plugins: %w", err))
	}

	f.parallelizer.Until(ctx, len(nodes), func(i int) {
		w := weighted[i*np : (i+1)*np : (i+1)*np]
		var total int64
		for j := range plugins {
			s := raw[i*np+j].Score
			if lists[j] != nil {
				s = lists[j][i].Score
			}
			if s > fwk.MaxScore || s < fwk.MinScore {
				errCh.sendWithCancel(fmt.Errorf("plugin %q returns an invalid score %v, it should in the range of [%v, %v] after normalizing",
					names[j], s, fwk.MinScore, fwk.MaxScore), cancel)
				return
			}
			w[j] = fwk.PluginScore{Name: names[j], Score: s * weights[j]}
			total += w[j].Score
		}
		all[i].Scores = w
		all[i].TotalScore = total
	}, "Score")
	if err := errCh.receive(); err != nil {
		return nil, fwk.AsStatus(fmt.Errorf("applying score defaultWeights on Score plugins: %w", err))
	}
	return all, nil
}
