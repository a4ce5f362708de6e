package runtime

import (
	"fmt"
	"slices"

	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
)

// extensionPoint describes one extension point: its config set, the interface name used in
// errors, and how to test and append a plugin.
type extensionPoint struct {
	name, typeName string
	set            *configv1.PluginSet
	implements     func(fwk.Plugin) bool
	add            func(fwk.Plugin)
}

func is[T any](p fwk.Plugin) bool { _, ok := p.(T); return ok }

func (f *Framework) extensionPoints(p *configv1.Plugins) []extensionPoint {
	return []extensionPoint{
		{"PreFilter", "PreFilterPlugin", &p.PreFilter, is[fwk.PreFilterPlugin], func(x fwk.Plugin) { f.preFilter = append(f.preFilter, x.(fwk.PreFilterPlugin)) }},
		{"Filter", "FilterPlugin", &p.Filter, is[fwk.FilterPlugin], func(x fwk.Plugin) { f.filter = append(f.filter, x.(fwk.FilterPlugin)) }},
		{"PostFilter", "PostFilterPlugin", &p.PostFilter, is[fwk.PostFilterPlugin], func(x fwk.Plugin) { f.postFilter = append(f.postFilter, x.(fwk.PostFilterPlugin)) }},
		{"Reserve", "ReservePlugin", &p.Reserve, is[fwk.ReservePlugin], func(x fwk.Plugin) { f.reserve = append(f.reserve, x.(fwk.ReservePlugin)) }},
		{"PreScore", "PreScorePlugin", &p.PreScore, is[fwk.PreScorePlugin], func(x fwk.Plugin) { f.preScore = append(f.preScore, x.(fwk.PreScorePlugin)) }},
		{"Score", "ScorePlugin", &p.Score, is[fwk.ScorePlugin], func(x fwk.Plugin) { f.score = append(f.score, x.(fwk.ScorePlugin)) }},
		{"PreBind", "PreBindPlugin", &p.PreBind, is[fwk.PreBindPlugin], func(x fwk.Plugin) { f.preBind = append(f.preBind, x.(fwk.PreBindPlugin)) }},
		{"Bind", "BindPlugin", &p.Bind, is[fwk.BindPlugin], func(x fwk.Plugin) { f.bind = append(f.bind, x.(fwk.BindPlugin)) }},
		{"PostBind", "PostBindPlugin", &p.PostBind, is[fwk.PostBindPlugin], func(x fwk.Plugin) { f.postBind = append(f.postBind, x.(fwk.PostBindPlugin)) }},
		{"Permit", "PermitPlugin", &p.Permit, is[fwk.PermitPlugin], func(x fwk.Plugin) { f.permit = append(f.permit, x.(fwk.PermitPlugin)) }},
		{"PreEnqueue", "PreEnqueuePlugin", &p.PreEnqueue, is[fwk.PreEnqueuePlugin], func(x fwk.Plugin) { f.preEnqueue = append(f.preEnqueue, x.(fwk.PreEnqueuePlugin)) }},
		{"QueueSort", "QueueSortPlugin", &p.QueueSort, is[fwk.QueueSortPlugin], func(x fwk.Plugin) { f.queueSort = append(f.queueSort, x.(fwk.QueueSortPlugin)) }},
	}
}

// pluginsNeeded are the plugins enabled anywhere in p.
func pluginsNeeded(p *configv1.Plugins) map[string]bool {
	out := map[string]bool{}
	for _, set := range []configv1.PluginSet{p.PreEnqueue, p.QueueSort, p.PreFilter, p.Filter, p.PostFilter,
		p.PreScore, p.Score, p.Reserve, p.Permit, p.PreBind, p.Bind, p.PostBind, p.MultiPoint} {
		for _, e := range set.Enabled {
			out[e.Name] = true
		}
	}
	return out
}

// buildExtensionPoints fills each point's plugins as upstream: plugins enabled at the point
// itself, then MultiPoint plugins expanded into every point they implement unless disabled
// there (or "*" is). A MultiPoint plugin also enabled at the point keeps the point's
// position; order is overrides, MultiPoint, then the rest.
func (f *Framework) buildExtensionPoints(logger klog.Logger, p *configv1.Plugins) error {
	for _, ep := range f.extensionPoints(p) {
		var enabled []string
		for _, e := range ep.set.Enabled {
			pl, ok := f.pluginsMap[e.Name]
			if !ok {
				return fmt.Errorf("%s %q does not exist", ep.typeName, e.Name)
			}
			if !ep.implements(pl) {
				return fmt.Errorf("plugin %q does not extend %s plugin", e.Name, ep.typeName)
			}
			if slices.Contains(enabled, e.Name) {
				return fmt.Errorf("plugin %q already registered as %q", e.Name, ep.typeName)
			}
			enabled = append(enabled, e.Name)
		}
		names := enabled
		if len(p.MultiPoint.Enabled) > 0 {
			var err error
			if names, err = f.expandMultiPoint(logger, ep, p.MultiPoint.Enabled, enabled); err != nil {
				return err
			}
		}
		for _, n := range names {
			ep.add(f.pluginsMap[n])
		}
		if len(names) > 0 {
			f.enabled[ep.name] = names
		}
	}
	return nil
}

func (f *Framework) expandMultiPoint(logger klog.Logger, ep extensionPoint, multi []configv1.Plugin, enabled []string) ([]string, error) {
	disabled := map[string]bool{}
	for _, d := range ep.set.Disabled {
		disabled[d.Name] = true
	}
	if disabled["*"] {
		return enabled, nil
	}
	var overrides, fromMulti []string
	for _, e := range multi {
		pl, ok := f.pluginsMap[e.Name]
		if !ok {
			return nil, fmt.Errorf("%s %q does not exist", ep.typeName, e.Name)
		}
		if !ep.implements(pl) || disabled[e.Name] {
			continue
		}
		if slices.Contains(enabled, e.Name) {
			if !slices.Contains(overrides, e.Name) {
				logger.Info("MultiPoint plugin is explicitly re-configured; overriding", "plugin", e.Name)
				overrides = append(overrides, e.Name)
			}
			continue
		}
		if slices.Contains(fromMulti, e.Name) {
			return nil, fmt.Errorf("plugin %q already registered as %q", e.Name, ep.typeName)
		}
		fromMulti = append(fromMulti, e.Name)
	}
	var out []string
	for _, n := range enabled {
		if slices.Contains(overrides, n) {
			out = append(out, n)
		}
	}
	out = append(out, fromMulti...)
	for _, n := range enabled {
		if !slices.Contains(overrides, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// setScoreWeights takes each Score plugin's weight from the Score point, else MultiPoint;
// 0 or unset is 1. The total must not overflow.
func (f *Framework) setScoreWeights(p *configv1.Plugins) error {
	var total int64
	for _, e := range append(slices.Clone(p.Score.Enabled), p.MultiPoint.Enabled...) {
		pl := f.pluginsMap[e.Name]
		if _, ok := pl.(fwk.ScorePlugin); !ok {
			continue
		}
		if _, ok := f.scoreWeights[e.Name]; ok {
			continue
		}
		w := 1
		if e.Weight != nil && *e.Weight != 0 {
			w = int(*e.Weight)
		}
		f.scoreWeights[e.Name] = w
		if int64(w)*fwk.MaxScore > fwk.MaxTotalScore-total {
			return fmt.Errorf("total score of Score plugins could overflow")
		}
		total += int64(w) * fwk.MaxScore
	}
	for _, pl := range f.score {
		if f.scoreWeights[pl.Name()] == 0 {
			return fmt.Errorf("score plugin %q is not configured with weight", pl.Name())
		}
	}
	return nil
}
