package noderesources

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// maxCustomPriorityScore is the top of RequestedToCapacityRatio's shape scores.
const maxCustomPriorityScore = 10

var defaultResources = []configv1.ResourceSpec{
	{Name: string(corev1.ResourceCPU), Weight: 1},
	{Name: string(corev1.ResourceMemory), Weight: 1},
}

var supportedStrategies = sets.New(string(configv1.LeastAllocated), string(configv1.MostAllocated), string(configv1.RequestedToCapacityRatio))

// fitArgs returns a defaulted copy of obj (*configv1.NodeResourcesFitArgs or nil), validated as
// upstream validates it.
func fitArgs(obj runtime.Object) (*configv1.NodeResourcesFitArgs, error) {
	in, err := helper.Args[configv1.NodeResourcesFitArgs](obj, "NodeResourcesFitArgs")
	if err != nil {
		return nil, err
	}
	args := in.DeepCopy()
	if args.ScoringStrategy == nil {
		args.ScoringStrategy = &configv1.ScoringStrategy{Type: configv1.LeastAllocated}
	}
	if len(args.ScoringStrategy.Resources) == 0 {
		args.ScoringStrategy.Resources = append([]configv1.ResourceSpec(nil), defaultResources...)
	}
	for i := range args.ScoringStrategy.Resources {
		if args.ScoringStrategy.Resources[i].Weight == 0 {
			args.ScoringStrategy.Resources[i].Weight = 1
		}
	}
	return args, validateFitArgs(args).ToAggregate()
}

func validateFitArgs(args *configv1.NodeResourcesFitArgs) field.ErrorList {
	var errs field.ErrorList
	var root *field.Path
	for i, res := range args.IgnoredResources {
		errs = append(errs, metav1validation.ValidateLabelName(res, root.Child("ignoredResources").Index(i))...)
	}
	for i, group := range args.IgnoredResourceGroups {
		p := root.Child("ignoredResourceGroups").Index(i)
		if strings.Contains(group, "/") {
			errs = append(errs, field.Invalid(p, group, "resource group name can't contain '/'"))
		}
		errs = append(errs, metav1validation.ValidateLabelName(group, p)...)
	}
	s, p := args.ScoringStrategy, root.Child("scoringStrategy")
	if !supportedStrategies.Has(string(s.Type)) {
		errs = append(errs, field.NotSupported(p.Child("type"), s.Type, sets.List(supportedStrategies)))
	}
	for i, r := range s.Resources {
		if r.Weight <= 0 || r.Weight > 100 {
			errs = append(errs, field.Invalid(p.Child("resources").Index(i).Child("weight"), r.Weight,
				fmt.Sprintf("resource weight of %v not in valid range (0, 100]", r.Name)))
		}
	}
	switch {
	case s.Type == configv1.RequestedToCapacityRatio && s.RequestedToCapacityRatio == nil:
		errs = append(errs, field.Required(p.Child("requestedToCapacityRatio"), "must be specified when type is RequestedToCapacityRatio"))
	case s.Type == configv1.RequestedToCapacityRatio:
		errs = append(errs, validateShape(s.RequestedToCapacityRatio.Shape, p.Child("requestedToCapacityRatio", "shape"))...)
	case s.RequestedToCapacityRatio != nil:
		errs = append(errs, field.Forbidden(p.Child("requestedToCapacityRatio"), "must be nil when type is not RequestedToCapacityRatio"))
	}
	return errs
}

func validateShape(shape []configv1.UtilizationShapePoint, p *field.Path) field.ErrorList {
	if len(shape) == 0 {
		return field.ErrorList{field.Required(p, "at least one point must be specified")}
	}
	var errs field.ErrorList
	for i := 1; i < len(shape); i++ {
		if shape[i-1].Utilization >= shape[i].Utilization {
			errs = append(errs, field.Invalid(p.Index(i).Child("utilization"), shape[i].Utilization, "values must be sorted in increasing order"))
			break
		}
	}
	for i, pt := range shape {
		if pt.Utilization < 0 || pt.Utilization > 100 {
			errs = append(errs, field.Invalid(p.Index(i).Child("utilization"), pt.Utilization, "not in valid range [0, 100]"))
		}
		if pt.Score < 0 || pt.Score > maxCustomPriorityScore {
			errs = append(errs, field.Invalid(p.Index(i).Child("score"), pt.Score, fmt.Sprintf("not in valid range [0, %d]", maxCustomPriorityScore)))
		}
	}
	return errs
}

// balancedArgs returns a defaulted copy of obj (*configv1.NodeResourcesBalancedAllocationArgs
// or nil), validated as upstream validates it.
func balancedArgs(obj runtime.Object) (*configv1.NodeResourcesBalancedAllocationArgs, error) {
	in, err := helper.Args[configv1.NodeResourcesBalancedAllocationArgs](obj, "NodeResourcesBalancedAllocationArgs")
	if err != nil {
		return nil, err
	}
	args := in.DeepCopy()
	if len(args.Resources) == 0 {
		args.Resources = append([]configv1.ResourceSpec(nil), defaultResources...)
	}
	for i := range args.Resources {
		if args.Resources[i].Weight == 0 {
			args.Resources[i].Weight = 1
		}
	}
	var errs field.ErrorList
	var root *field.Path
	seen := sets.New[string]()
	for i, r := range args.Resources {
		if seen.Has(r.Name) {
			errs = append(errs, field.Duplicate(root.Child("resources").Index(i).Child("name"), r.Name))
		}
		seen.Insert(r.Name)
		if r.Weight != 1 {
			errs = append(errs, field.Invalid(root.Child("resources").Index(i).Child("weight"), r.Weight, "must be 1"))
		}
	}
	return args, errs.ToAggregate()
}
