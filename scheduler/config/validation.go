package config

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"
)

// removedPlugins were removed before kubescheduler.config.k8s.io/v1.
var removedPlugins = sets.New("AzureDiskLimits", "CinderLimits", "EBSLimits", "GCEPDLimits")

// Validate checks a defaulted configuration with upstream's rules and field paths.
func Validate(cfg *configv1.KubeSchedulerConfiguration) error {
	var errs field.ErrorList
	if cfg.LeaderElection.LeaderElect != nil && *cfg.LeaderElection.LeaderElect && cfg.LeaderElection.ResourceLock != "leases" {
		errs = append(errs, field.Invalid(field.NewPath("leaderElection", "resourceLock"), cfg.LeaderElection.ResourceLock, `resourceLock value must be "leases"`))
	}
	if cfg.Parallelism == nil || *cfg.Parallelism <= 0 {
		errs = append(errs, field.Invalid(field.NewPath("parallelism"), deref(cfg.Parallelism), "should be an integer value greater than zero"))
	}
	profiles := field.NewPath("profiles")
	if len(cfg.Profiles) == 0 {
		errs = append(errs, field.Required(profiles, ""))
	} else {
		seen := map[string]int{}
		for i := range cfg.Profiles {
			p := &cfg.Profiles[i]
			path := profiles.Index(i)
			name := ""
			if p.SchedulerName != nil {
				name = *p.SchedulerName
			}
			if name == "" {
				errs = append(errs, field.Required(path.Child("schedulerName"), ""))
			}
			errs = append(errs, validatePercentage(path.Child("percentageOfNodesToScore"), p.PercentageOfNodesToScore)...)
			errs = append(errs, validatePluginConfig(path, p)...)
			if j, ok := seen[name]; ok {
				errs = append(errs, field.Duplicate(path.Child("schedulerName"), profiles.Index(j).Child("schedulerName")))
			}
			seen[name] = i
		}
		errs = append(errs, validateCommonQueueSort(profiles, cfg.Profiles)...)
	}
	errs = append(errs, validatePercentage(field.NewPath("percentageOfNodesToScore"), cfg.PercentageOfNodesToScore)...)
	initial, maxBackoff := deref64(cfg.PodInitialBackoffSeconds), deref64(cfg.PodMaxBackoffSeconds)
	if initial <= 0 {
		errs = append(errs, field.Invalid(field.NewPath("podInitialBackoffSeconds"), initial, "must be greater than 0"))
	}
	if maxBackoff < initial {
		errs = append(errs, field.Invalid(field.NewPath("podMaxBackoffSeconds"), maxBackoff, "must be greater than or equal to PodInitialBackoffSeconds"))
	}
	if len(cfg.Extenders) > 0 {
		errs = append(errs, field.Forbidden(field.NewPath("extenders"), "scheduler extenders are not supported by skiff"))
	}
	return utilerrors.Flatten(errs.ToAggregate())
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func validatePercentage(path *field.Path, p *int32) field.ErrorList {
	if p != nil && (*p < 0 || *p > 100) {
		return field.ErrorList{field.Invalid(path, *p, "not in valid range [0-100]")}
	}
	return nil
}

func validatePluginConfig(path *field.Path, p *configv1.KubeSchedulerProfile) field.ErrorList {
	var errs field.ErrorList
	if p.Plugins != nil {
		for _, s := range allSets(p.Plugins) {
			for i, pl := range s.set.Enabled {
				if removedPlugins.Has(pl.Name) {
					errs = append(errs, field.Invalid(path.Child("plugins", s.name, "enabled").Index(i), pl.Name,
						fmt.Sprintf("was invalid in version %q (KubeSchedulerConfiguration is version %q)", configv1.SchemeGroupVersion.String(), configv1.SchemeGroupVersion.String())))
				}
			}
		}
	}
	seen := sets.New[string]()
	for i, pc := range p.PluginConfig {
		pcPath := path.Child("pluginConfig").Index(i)
		if seen.Has(pc.Name) {
			errs = append(errs, field.Duplicate(pcPath, pc.Name))
		}
		seen.Insert(pc.Name)
		if removedPlugins.Has(pc.Name) {
			errs = append(errs, field.Invalid(pcPath, pc.Name, fmt.Sprintf("was invalid in version %q (KubeSchedulerConfiguration is version %q)", configv1.SchemeGroupVersion.String(), configv1.SchemeGroupVersion.String())))
			continue
		}
		errs = append(errs, ValidateArgs(pcPath.Child("args"), pc.Name, pc.Args.Object)...)
	}
	return errs
}

// ValidateArgs validates a plugin's typed args; unknown plugins and nil args pass.
func ValidateArgs(path *field.Path, plugin string, obj any) field.ErrorList {
	if obj == nil {
		return nil
	}
	want := NewArgs(plugin)
	if want != nil && fmt.Sprintf("%T", want) != fmt.Sprintf("%T", obj) {
		return field.ErrorList{field.Invalid(path, obj, "has to match plugin args")}
	}
	switch a := obj.(type) {
	case *configv1.DefaultPreemptionArgs:
		return validateDefaultPreemption(path, a)
	case *configv1.InterPodAffinityArgs:
		if w := deref(a.HardPodAffinityWeight); w < 0 || w > 100 {
			return field.ErrorList{field.Invalid(path.Child("hardPodAffinityWeight"), w, "not in valid range [0, 100]")}
		}
	case *configv1.PodTopologySpreadArgs:
		return validatePodTopologySpread(path, a)
	case *configv1.NodeResourcesBalancedAllocationArgs:
		var errs field.ErrorList
		seen := sets.New[string]()
		for i, r := range a.Resources {
			if seen.Has(r.Name) {
				errs = append(errs, field.Duplicate(path.Child("resources").Index(i).Child("name"), r.Name))
			}
			seen.Insert(r.Name)
			if r.Weight != 1 {
				errs = append(errs, field.Invalid(path.Child("resources").Index(i).Child("weight"), r.Weight, "must be 1"))
			}
		}
		return errs
	case *configv1.VolumeBindingArgs:
		var errs field.ErrorList
		if t := deref64(a.BindTimeoutSeconds); t < 0 {
			errs = append(errs, field.Invalid(path.Child("bindTimeoutSeconds"), t, "invalid BindTimeoutSeconds, should not be a negative value"))
		}
		return append(errs, validateShape(a.Shape, path.Child("shape"))...)
	case *configv1.NodeResourcesFitArgs:
		return validateNodeResourcesFit(path, a)
	}
	return nil
}

func validateDefaultPreemption(path *field.Path, a *configv1.DefaultPreemptionArgs) field.ErrorList {
	var errs field.ErrorList
	pp, ap := path.Child("minCandidateNodesPercentage"), path.Child("minCandidateNodesAbsolute")
	pct, abs := deref(a.MinCandidateNodesPercentage), deref(a.MinCandidateNodesAbsolute)
	if pct < 0 || pct > 100 {
		errs = append(errs, field.Invalid(pp, pct, "not in valid range [0, 100]"))
	}
	if abs < 0 {
		errs = append(errs, field.Invalid(ap, abs, "not in valid range [0, inf)"))
	}
	if pct == 0 && abs == 0 {
		errs = append(errs, field.Invalid(pp, pct, "cannot be zero at the same time as minCandidateNodesAbsolute"),
			field.Invalid(ap, abs, "cannot be zero at the same time as minCandidateNodesPercentage"))
	}
	return errs
}

func validatePodTopologySpread(path *field.Path, a *configv1.PodTopologySpreadArgs) field.ErrorList {
	var errs field.ErrorList
	dt := path.Child("defaultingType")
	switch {
	case a.DefaultingType != configv1.SystemDefaulting && a.DefaultingType != configv1.ListDefaulting:
		errs = append(errs, field.NotSupported(dt, a.DefaultingType, []string{string(configv1.SystemDefaulting), string(configv1.ListDefaulting)}))
	case a.DefaultingType == configv1.SystemDefaulting && len(a.DefaultConstraints) > 0:
		errs = append(errs, field.Invalid(dt, a.DefaultingType, "when .defaultConstraints are not empty"))
	}
	cp := path.Child("defaultConstraints")
	for i, c := range a.DefaultConstraints {
		p := cp.Index(i)
		if c.MaxSkew <= 0 {
			errs = append(errs, field.Invalid(p.Child("maxSkew"), c.MaxSkew, "not in valid range (0, inf)"))
		}
		if c.TopologyKey == "" {
			errs = append(errs, field.Required(p.Child("topologyKey"), "can not be empty"))
		} else {
			errs = append(errs, metav1validation.ValidateLabelName(c.TopologyKey, p.Child("topologyKey"))...)
		}
		actions := []string{string(corev1.DoNotSchedule), string(corev1.ScheduleAnyway)}
		if c.WhenUnsatisfiable == "" {
			errs = append(errs, field.Required(p.Child("whenUnsatisfiable"), "can not be empty"))
		} else if c.WhenUnsatisfiable != corev1.DoNotSchedule && c.WhenUnsatisfiable != corev1.ScheduleAnyway {
			errs = append(errs, field.NotSupported(p.Child("whenUnsatisfiable"), c.WhenUnsatisfiable, actions))
		}
		if c.LabelSelector != nil {
			errs = append(errs, field.Forbidden(p.Child("labelSelector"), "constraint must not define a selector, as they deduced for each pod"))
		}
		for j := range a.DefaultConstraints[:i] {
			o := a.DefaultConstraints[j]
			if o.TopologyKey == c.TopologyKey && o.WhenUnsatisfiable == c.WhenUnsatisfiable {
				errs = append(errs, field.Duplicate(cp.Index(i), fmt.Sprintf("{%v, %v}", c.TopologyKey, c.WhenUnsatisfiable)))
				break
			}
		}
	}
	return errs
}

func validateShape(shape []configv1.UtilizationShapePoint, path *field.Path) field.ErrorList {
	if len(shape) == 0 {
		return field.ErrorList{field.Required(path, "at least one point must be specified")}
	}
	var errs field.ErrorList
	for i := 1; i < len(shape); i++ {
		if shape[i-1].Utilization >= shape[i].Utilization {
			errs = append(errs, field.Invalid(path.Index(i).Child("utilization"), shape[i].Utilization, "values must be sorted in increasing order"))
			break
		}
	}
	for i, pt := range shape {
		if pt.Utilization < 0 || pt.Utilization > 100 {
			errs = append(errs, field.Invalid(path.Index(i).Child("utilization"), pt.Utilization, "not in valid range [0, 100]"))
		}
		if pt.Score < 0 || pt.Score > MaxCustomPriorityScore {
			errs = append(errs, field.Invalid(path.Index(i).Child("score"), pt.Score, fmt.Sprintf("not in valid range [0, %d]", MaxCustomPriorityScore)))
		}
	}
	return errs
}

var scoringStrategies = []string{string(configv1.LeastAllocated), string(configv1.MostAllocated), string(configv1.RequestedToCapacityRatio)}

func validateNodeResourcesFit(path *field.Path, a *configv1.NodeResourcesFitArgs) field.ErrorList {
	var errs field.ErrorList
	for i, r := range a.IgnoredResources {
		errs = append(errs, metav1validation.ValidateLabelName(r, path.Child("ignoredResources").Index(i))...)
	}
	for i, g := range a.IgnoredResourceGroups {
		p := path.Child("ignoredResourceGroups").Index(i)
		if strings.Contains(g, "/") {
			errs = append(errs, field.Invalid(p, g, "resource group name can't contain '/'"))
		}
		errs = append(errs, metav1validation.ValidateLabelName(g, p)...)
	}
	sp := path.Child("scoringStrategy")
	s := a.ScoringStrategy
	if s == nil {
		return append(errs, field.Required(sp, "ScoringStrategy field is required"))
	}
	if !sets.New(scoringStrategies...).Has(string(s.Type)) {
		errs = append(errs, field.NotSupported(sp.Child("type"), s.Type, scoringStrategies))
	}
	for i, r := range s.Resources {
		if r.Weight <= 0 || r.Weight > 100 {
			errs = append(errs, field.Invalid(sp.Child("resources").Index(i).Child("weight"), r.Weight, fmt.Sprintf("resource weight of %v not in valid range (0, 100]", r.Name)))
		}
	}
	if s.Type == configv1.RequestedToCapacityRatio {
		if s.RequestedToCapacityRatio == nil {
			errs = append(errs, field.Required(sp.Child("requestedToCapacityRatio"), "must be specified when type is RequestedToCapacityRatio"))
		} else {
			errs = append(errs, validateShape(s.RequestedToCapacityRatio.Shape, sp.Child("requestedToCapacityRatio", "shape"))...)
		}
	} else if s.RequestedToCapacityRatio != nil {
		errs = append(errs, field.Forbidden(sp.Child("requestedToCapacityRatio"), "must be nil when type is not RequestedToCapacityRatio"))
	}
	return errs
}

func validateCommonQueueSort(path *field.Path, profiles []configv1.KubeSchedulerProfile) field.ErrorList {
	var errs field.ErrorList
	var canon configv1.PluginSet
	if profiles[0].Plugins != nil {
		canon = profiles[0].Plugins.QueueSort
		if n := len(canon.Enabled); n > 1 {
			errs = append(errs, field.Invalid(path.Index(0).Child("plugins", "queueSort", "Enabled"), n, "only one queue sort plugin can be enabled"))
		}
	}
	for i := 1; i < len(profiles); i++ {
		var cur configv1.PluginSet
		if profiles[i].Plugins != nil {
			cur = profiles[i].Plugins.QueueSort
		}
		if !apiequality.Semantic.DeepEqual(canon, cur) {
			errs = append(errs, field.Invalid(path.Index(i).Child("plugins", "queueSort"), cur, "must be the same for all profiles"))
		}
	}
	return errs
}
