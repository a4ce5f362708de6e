package volumebinding

import (
	"fmt"
	"math"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// maxCustomPriorityScore is the top of a shape point's score.
const maxCustomPriorityScore = 10

// args are the defaulted, validated VolumeBindingArgs.
type args struct {
	bindTimeout time.Duration
	shape       []configv1.UtilizationShapePoint
}

// parseArgs defaults obj (*configv1.VolumeBindingArgs or nil) as upstream v1.37 does with
// StorageCapacityScoring on (bindTimeoutSeconds 600, shape 0%→10, 100%→0) and validates it.
func parseArgs(obj runtime.Object) (args, error) {
	in, err := helper.Args[configv1.VolumeBindingArgs](obj, "VolumeBindingArgs")
	if err != nil {
		return args{}, err
	}
	timeout := ptr.Deref(in.BindTimeoutSeconds, 600)
	shape := in.Shape
	if len(shape) == 0 {
		shape = []configv1.UtilizationShapePoint{{Utilization: 0, Score: maxCustomPriorityScore}, {Utilization: 100, Score: 0}}
	}
	var errs field.ErrorList
	if timeout < 0 {
		errs = append(errs, field.Invalid(field.NewPath("bindTimeoutSeconds"), timeout, "invalid BindTimeoutSeconds, should not be a negative value"))
	}
	errs = append(errs, validateShape(shape, field.NewPath("shape"))...)
	return args{bindTimeout: time.Duration(timeout) * time.Second, shape: shape}, errs.ToAggregate()
}

func validateShape(shape []configv1.UtilizationShapePoint, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := 1; i < len(shape); i++ {
		if shape[i-1].Utilization >= shape[i].Utilization {
			errs = append(errs, field.Invalid(path.Index(i).Child("utilization"), shape[i].Utilization, "values must be sorted in increasing order"))
			break
		}
	}
	for i, p := range shape {
		if p.Utilization < 0 || p.Utilization > 100 {
			errs = append(errs, field.Invalid(path.Index(i).Child("utilization"), p.Utilization, "not in valid range [0, 100]"))
		}
		if p.Score < 0 || p.Score > maxCustomPriorityScore {
			errs = append(errs, field.Invalid(path.Index(i).Child("score"), p.Score, fmt.Sprintf("not in valid range [0, %d]", maxCustomPriorityScore)))
		}
	}
	return errs
}

// storageResource is the storage requested from, and the capacity of, one class on a node.
type storageResource struct {
	requested int64
	capacity  int64
}

// scorer scores a node by the utilization of each storage class's capacity the pod's
// volumes would cause, averaged over classes, along the shape (scaled to MaxNodeScore).
type scorer func(map[string]*storageResource) int64

func newScorer(shape []configv1.UtilizationShapePoint) scorer {
	scale := int64(fwk.MaxNodeScore / maxCustomPriorityScore)
	f := func(p int64) int64 {
		for i, pt := range shape {
			if p <= int64(pt.Utilization) {
				if i == 0 {
					return int64(pt.Score) * scale
				}
				prev := shape[i-1]
				lo, hi := int64(prev.Score)*scale, int64(pt.Score)*scale
				return lo + (hi-lo)*(p-int64(prev.Utilization))/int64(pt.Utilization-prev.Utilization)
			}
		}
		return int64(shape[len(shape)-1].Score) * scale
	}
	return func(classes map[string]*storageResource) int64 {
		if len(classes) == 0 {
			return 0
		}
		var sum int64
		for _, r := range classes {
			if r.capacity == 0 || r.requested > r.capacity {
				sum += f(100)
				continue
			}
			sum += f(r.requested * 100 / r.capacity)
		}
		return int64(math.Round(float64(sum) / float64(len(classes))))
	}
}
