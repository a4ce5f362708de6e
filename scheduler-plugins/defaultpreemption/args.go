package defaultpreemption

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// args are the plugin's defaulted, validated arguments.
type args struct {
	minCandidateNodesPercentage int32
	minCandidateNodesAbsolute   int32
}

// parseArgs defaults obj (*configv1.DefaultPreemptionArgs or nil) as upstream (10%, 100)
// and validates it with upstream's messages.
func parseArgs(obj runtime.Object) (args, error) {
	in, err := helper.Args[configv1.DefaultPreemptionArgs](obj, "DefaultPreemptionArgs")
	if err != nil {
		return args{}, err
	}
	a := args{
		minCandidateNodesPercentage: ptr.Deref(in.MinCandidateNodesPercentage, 10),
		minCandidateNodesAbsolute:   ptr.Deref(in.MinCandidateNodesAbsolute, 100),
	}
	pct := field.NewPath("minCandidateNodesPercentage")
	abs := field.NewPath("minCandidateNodesAbsolute")
	var errs field.ErrorList
	if a.minCandidateNodesPercentage < 0 || a.minCandidateNodesPercentage > 100 {
		errs = append(errs, field.Invalid(pct, a.minCandidateNodesPercentage, "not in valid range [0, 100]"))
	}
	if a.minCandidateNodesAbsolute < 0 {
		errs = append(errs, field.Invalid(abs, a.minCandidateNodesAbsolute, "not in valid range [0, inf)"))
	}
	if a.minCandidateNodesPercentage == 0 && a.minCandidateNodesAbsolute == 0 {
		errs = append(errs,
			field.Invalid(pct, a.minCandidateNodesPercentage, "cannot be zero at the same time as minCandidateNodesAbsolute"),
			field.Invalid(abs, a.minCandidateNodesAbsolute, "cannot be zero at the same time as minCandidateNodesPercentage"))
	}
	return a, errs.ToAggregate()
}

// numCandidates is how many candidate nodes a dry run looks for among numNodes:
// minCandidateNodesPercentage of them, at least minCandidateNodesAbsolute, at most all.
func (a args) numCandidates(numNodes int32) int32 {
	n := numNodes * a.minCandidateNodesPercentage / 100
	n = max(n, a.minCandidateNodesAbsolute)
	return min(n, numNodes)
}
