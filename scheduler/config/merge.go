package config

import (
	configv1 "k8s.io/kube-scheduler/config/v1"
)

type namedSet struct {
	name string
	set  *configv1.PluginSet
}

// allSets lists p's extension point sets with their JSON names.
func allSets(p *configv1.Plugins) []namedSet {
	return []namedSet{
		{"multiPoint", &p.MultiPoint}, {"preEnqueue", &p.PreEnqueue}, {"queueSort", &p.QueueSort},
		{"preFilter", &p.PreFilter}, {"filter", &p.Filter}, {"postFilter", &p.PostFilter},
		{"preScore", &p.PreScore}, {"score", &p.Score}, {"reserve", &p.Reserve}, {"permit", &p.Permit},
		{"preBind", &p.PreBind}, {"bind", &p.Bind}, {"postBind", &p.PostBind},
		{"placementGenerate", &p.PlacementGenerate}, {"placementScore", &p.PlacementScore},
		{"podGroupPostFilter", &p.PodGroupPostFilter},
	}
}

// MergePlugins merges custom into defaults per extension point as upstream: disabled
// plugins (or "*") drop defaults, a custom plugin that is also a default replaces it in place,
// other custom plugins are appended; disabled entries are kept for the MultiPoint expansion.
func MergePlugins(defaults, custom *configv1.Plugins) *configv1.Plugins {
	if custom == nil {
		return defaults
	}
	d, c := allSets(defaults), allSets(custom)
	for i := range d {
		*d[i].set = mergeSet(*d[i].set, *c[i].set)
	}
	return defaults
}

func mergeSet(def, custom configv1.PluginSet) configv1.PluginSet {
	disabled := map[string]bool{}
	var out configv1.PluginSet
	for _, p := range custom.Disabled {
		out.Disabled = append(out.Disabled, configv1.Plugin{Name: p.Name})
		disabled[p.Name] = true
	}
	for _, p := range def.Disabled {
		out.Disabled = append(out.Disabled, configv1.Plugin{Name: p.Name})
		disabled[p.Name] = true
	}
	customIdx := map[string]int{}
	for i, p := range custom.Enabled {
		customIdx[p.Name] = i
	}
	replaced := map[int]bool{}
	if !disabled["*"] {
		for _, p := range def.Enabled {
			if disabled[p.Name] {
				continue
			}
			if i, ok := customIdx[p.Name]; ok {
				p = custom.Enabled[i]
				replaced[i] = true
			}
			out.Enabled = append(out.Enabled, p)
		}
	}
	for i, p := range custom.Enabled {
		if !replaced[i] {
			out.Enabled = append(out.Enabled, p)
		}
	}
	return out
}
