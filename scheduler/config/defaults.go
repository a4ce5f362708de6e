package config

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	componentbaseconfigv1alpha1 "k8s.io/component-base/config/v1alpha1"
	configv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/utils/ptr"
)

const (
	// DefaultParallelism is upstream's parallelism.
	DefaultParallelism = 16
	// MaxCustomPriorityScore is the top of a utilization shape's score range.
	MaxCustomPriorityScore = 10
)

// DefaultPlugins returns upstream v1.37's default MultiPoint plugins with their weights (with
// the feature gates at their defaults), less DynamicResources which skiff does not ship.
func DefaultPlugins() *configv1.Plugins {
	w := func(n int32) *int32 { return ptr.To(n) }
	return &configv1.Plugins{MultiPoint: configv1.PluginSet{Enabled: []configv1.Plugin{
		{Name: "SchedulingGates"},
		{Name: "PrioritySort"},
		{Name: "NodeName"},
		{Name: "NodeUnschedulable"},
		{Name: "TaintToleration", Weight: w(3)},
		{Name: "NodeAffinity", Weight: w(2)},
		{Name: "NodePorts"},
		{Name: "NodeResourcesFit", Weight: w(1)},
		{Name: "VolumeRestrictions"},
		{Name: "NodeVolumeLimits"},
		{Name: "VolumeBinding"},
		{Name: "VolumeZone"},
		{Name: "PodTopologySpread", Weight: w(2)},
		{Name: "InterPodAffinity", Weight: w(2)},
		{Name: "DefaultPreemption"},
		{Name: "NodeResourcesBalancedAllocation", Weight: w(1)},
		{Name: "ImageLocality", Weight: w(1)},
		{Name: "DefaultBinder"},
		{Name: "NodeDeclaredFeatures"},
	}}}
}

// SetDefaults applies upstream's defaults. available, if not nil, drops default plugins that
// are not registered (so a partial registry still yields a working profile); plugins the
// user names are kept and fail later if unknown.
func SetDefaults(cfg *configv1.KubeSchedulerConfiguration, available func(name string) bool) {
	if cfg.Parallelism == nil {
		cfg.Parallelism = ptr.To[int32](DefaultParallelism)
	}
	if len(cfg.Profiles) == 0 {
		cfg.Profiles = append(cfg.Profiles, configv1.KubeSchedulerProfile{})
	}
	if len(cfg.Profiles) == 1 && cfg.Profiles[0].SchedulerName == nil {
		cfg.Profiles[0].SchedulerName = ptr.To(corev1.DefaultSchedulerName)
	}
	for i := range cfg.Profiles {
		defaultProfile(&cfg.Profiles[i], available)
	}
	if cfg.PercentageOfNodesToScore == nil {
		cfg.PercentageOfNodesToScore = ptr.To[int32](0)
	}
	le := &cfg.LeaderElection
	if le.ResourceLock == "" {
		le.ResourceLock = "leases"
	}
	if le.ResourceNamespace == "" {
		le.ResourceNamespace = configv1.SchedulerDefaultLockObjectNamespace
	}
	if le.ResourceName == "" {
		le.ResourceName = configv1.SchedulerDefaultLockObjectName
	}
	componentbaseconfigv1alpha1.RecommendedDefaultLeaderElectionConfiguration(le)
	if cfg.ClientConnection.ContentType == "" {
		cfg.ClientConnection.ContentType = "application/vnd.kubernetes.protobuf"
	}
	if cfg.ClientConnection.QPS == 0 {
		cfg.ClientConnection.QPS = 50
	}
	if cfg.ClientConnection.Burst == 0 {
		cfg.ClientConnection.Burst = 100
	}
	if cfg.PodInitialBackoffSeconds == nil {
		cfg.PodInitialBackoffSeconds = ptr.To[int64](1)
	}
	if cfg.PodMaxBackoffSeconds == nil {
		cfg.PodMaxBackoffSeconds = ptr.To[int64](10)
	}
	if cfg.EnableProfiling == nil {
		cfg.EnableProfiling = ptr.To(true)
	}
	if *cfg.EnableProfiling && cfg.EnableContentionProfiling == nil {
		cfg.EnableContentionProfiling = ptr.To(true)
	}
}

func defaultProfile(prof *configv1.KubeSchedulerProfile, available func(string) bool) {
	defaults := DefaultPlugins()
	if available != nil {
		var kept []configv1.Plugin
		for _, p := range defaults.MultiPoint.Enabled {
			if available(p.Name) {
				kept = append(kept, p)
			}
		}
		defaults.MultiPoint.Enabled = kept
	}
	prof.Plugins = MergePlugins(defaults, prof.Plugins)
	seen := map[string]bool{}
	for i := range prof.PluginConfig {
		seen[prof.PluginConfig[i].Name] = true
		if obj := prof.PluginConfig[i].Args.Object; obj != nil {
			defaultArgs(obj)
		}
	}
	for _, name := range pluginNames(prof.Plugins) {
		if seen[name] {
			continue
		}
		args := NewArgs(name)
		if args == nil {
			continue
		}
		defaultArgs(args)
		prof.PluginConfig = append(prof.PluginConfig, configv1.PluginConfig{Name: name, Args: runtime.RawExtension{Object: args}})
	}
}

// NewArgs returns an empty typed args object for the plugin, or nil if it takes none.
func NewArgs(plugin string) runtime.Object {
	gvk := configv1.SchemeGroupVersion.WithKind(plugin + "Args")
	if plugin == "DynamicResources" {
		return nil
	}
	obj, err := scheme.New(gvk)
	if err != nil {
		return nil
	}
	obj.GetObjectKind().SetGroupVersionKind(gvk)
	return obj
}

// pluginNames lists the enabled plugins of every extension point, sorted.
func pluginNames(p *configv1.Plugins) []string {
	set := map[string]bool{}
	var out []string
	for _, s := range allSets(p) {
		for _, e := range s.set.Enabled {
			if !set[e.Name] {
				set[e.Name] = true
				out = append(out, e.Name)
			}
		}
	}
	return out
}

var defaultResourceSpec = []configv1.ResourceSpec{{Name: string(corev1.ResourceCPU), Weight: 1}, {Name: string(corev1.ResourceMemory), Weight: 1}}

// defaultArgs applies upstream's per-plugin args defaults.
func defaultArgs(obj runtime.Object) {
	switch a := obj.(type) {
	case *configv1.DefaultPreemptionArgs:
		if a.MinCandidateNodesPercentage == nil {
			a.MinCandidateNodesPercentage = ptr.To[int32](10)
		}
		if a.MinCandidateNodesAbsolute == nil {
			a.MinCandidateNodesAbsolute = ptr.To[int32](100)
		}
	case *configv1.InterPodAffinityArgs:
		if a.HardPodAffinityWeight == nil {
			a.HardPodAffinityWeight = ptr.To[int32](1)
		}
	case *configv1.VolumeBindingArgs:
		if a.BindTimeoutSeconds == nil {
			a.BindTimeoutSeconds = ptr.To[int64](600)
		}
		if len(a.Shape) == 0 {
			a.Shape = []configv1.UtilizationShapePoint{{Utilization: 0, Score: MaxCustomPriorityScore}, {Utilization: 100, Score: 0}}
		}
	case *configv1.NodeResourcesBalancedAllocationArgs:
		if len(a.Resources) == 0 {
			a.Resources = append([]configv1.ResourceSpec(nil), defaultResourceSpec...)
			return
		}
		for i := range a.Resources {
			if a.Resources[i].Weight == 0 {
				a.Resources[i].Weight = 1
			}
		}
	case *configv1.PodTopologySpreadArgs:
		if a.DefaultingType == "" {
			a.DefaultingType = configv1.SystemDefaulting
		}
	case *configv1.NodeResourcesFitArgs:
		if a.ScoringStrategy == nil {
			a.ScoringStrategy = &configv1.ScoringStrategy{Type: configv1.LeastAllocated, Resources: append([]configv1.ResourceSpec(nil), defaultResourceSpec...)}
		}
		if len(a.ScoringStrategy.Resources) == 0 {
			a.ScoringStrategy.Resources = append(a.ScoringStrategy.Resources, defaultResourceSpec...)
		}
		for i := range a.ScoringStrategy.Resources {
			if a.ScoringStrategy.Resources[i].Weight == 0 {
				a.ScoringStrategy.Resources[i].Weight = 1
			}
		}
	}
}
