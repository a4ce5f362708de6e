package limitrange

import (
	"fmt"
	"strings"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
)

// Validate checks a LimitRange: types unique and known (or qualified), resource names valid
// for the type, and min <= defaultRequest <= default <= max for each resource.
func Validate(lr *corev1.LimitRange) field.ErrorList {
	errs := validate.ObjectMeta(&lr.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	types := map[corev1.LimitType]bool{}
	fldPath := field.NewPath("spec", "limits")
	for i := range lr.Spec.Limits {
		idxPath := fldPath.Index(i)
		limit := &lr.Spec.Limits[i]
		errs = append(errs, validateType(limit.Type, idxPath.Child("type"))...)
		if types[limit.Type] {
			errs = append(errs, field.Duplicate(idxPath.Child("type"), limit.Type))
		}
		types[limit.Type] = true

		keys := sets.Set[string]{}
		collect := func(list corev1.ResourceList, name string) map[string]resource.Quantity {
			out := map[string]resource.Quantity{}
			for k, q := range list {
				errs = append(errs, validateResourceName(limit.Type, k, idxPath.Child(name).Key(string(k)))...)
				keys.Insert(string(k))
				out[string(k)] = q
			}
			return out
		}
		maxes := collect(limit.Max, "max")
		mins := collect(limit.Min, "min")
		defaults, defaultRequests := map[string]resource.Quantity{}, map[string]resource.Quantity{}
		if limit.Type == corev1.LimitTypePod {
			if len(limit.Default) > 0 {
				errs = append(errs, field.Forbidden(idxPath.Child("default"), "may not be specified when `type` is 'Pod'"))
			}
			if len(limit.DefaultRequest) > 0 {
				errs = append(errs, field.Forbidden(idxPath.Child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
			}
		} else {
			defaults = collect(limit.Default, "default")
			defaultRequests = collect(limit.DefaultRequest, "defaultRequest")
		}
		if limit.Type == corev1.LimitTypePersistentVolumeClaim {
			_, hasMin := limit.Min[corev1.ResourceStorage]
			_, hasMax := limit.Max[corev1.ResourceStorage]
			if !hasMin && !hasMax {
				errs = append(errs, field.Required(idxPath.Child("limits"), "either minimum or maximum storage value is required, but neither was provided"))
			}
		}
		ratios := collect(limit.MaxLimitRequestRatio, "maxLimitRequestRatio")

		for _, k := range sets.List(keys) {
			minQ, hasMin := mins[k]
			maxQ, hasMax := maxes[k]
			defQ, hasDef := defaults[k]
			defReqQ, hasDefReq := defaultRequests[k]
			ratio, hasRatio := ratios[k]
			if hasMin && hasMax && minQ.Cmp(maxQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("min").Key(k), minQ, fmt.Sprintf("min value %s is greater than max value %s", minQ.String(), maxQ.String())))
			}
			if hasDefReq && hasMin && minQ.Cmp(defReqQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defReqQ, fmt.Sprintf("min value %s is greater than default request value %s", minQ.String(), defReqQ.String())))
			}
			if hasDefReq && hasMax && defReqQ.Cmp(maxQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defReqQ, fmt.Sprintf("default request value %s is greater than max value %s", defReqQ.String(), maxQ.String())))
			}
			if hasDefReq && hasDef && defReqQ.Cmp(defQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defReqQ, fmt.Sprintf("default request value %s is greater than default limit value %s", defReqQ.String(), defQ.String())))
			}
			if hasDef && hasMin && minQ.Cmp(defQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("default").Key(k), minQ, fmt.Sprintf("min value %s is greater than default value %s", minQ.String(), defQ.String())))
			}
			if hasDef && hasMax && defQ.Cmp(maxQ) > 0 {
				errs = append(errs, field.Invalid(idxPath.Child("default").Key(k), maxQ, fmt.Sprintf("default value %s is greater than max value %s", defQ.String(), maxQ.String())))
			}
			if hasRatio && ratio.Cmp(*resource.NewQuantity(1, resource.DecimalSI)) < 0 {
				errs = append(errs, field.Invalid(idxPath.Child("maxLimitRequestRatio").Key(k), ratio, fmt.Sprintf("ratio %s is less than 1", ratio.String())))
			}
			if hasRatio && hasMin && hasMax {
				ratioValue := float64(ratio.Value())
				minValue, maxValue := minQ.Value(), maxQ.Value()
				if ratio.Value() < resource.MaxMilliValue && minValue < resource.MaxMilliValue && maxValue < resource.MaxMilliValue {
					ratioValue = float64(ratio.MilliValue()) / 1000
					minValue, maxValue = minQ.MilliValue(), maxQ.MilliValue()
				}
				if limit := float64(maxValue) / float64(minValue); ratioValue > limit {
					errs = append(errs, field.Invalid(idxPath.Child("maxLimitRequestRatio").Key(k), ratio, fmt.Sprintf("ratio %s is greater than max/min = %f", ratio.String(), limit)))
				}
			}
			// Resources that cannot be overcommitted need equal default and default request.
			if !corevalidation.IsOvercommitAllowed(corev1.ResourceName(k)) && hasDef && hasDefReq && defQ.Cmp(defReqQ) != 0 {
				errs = append(errs, field.Invalid(idxPath.Child("defaultRequest").Key(k), defReqQ, fmt.Sprintf("default value %s must equal to defaultRequest value %s in %s", defQ.String(), defReqQ.String(), k)))
			}
		}
	}
	return errs
}

// ValidateUpdate checks a LimitRange update: the same rules as on create (upstream adds no
// metadata update checks here; the registry's common ones still apply).
func ValidateUpdate(lr, _ *corev1.LimitRange) field.ErrorList {
	return Validate(lr)
}

func validateType(value corev1.LimitType, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range validation.IsQualifiedName(string(value)) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	if len(errs) == 0 && !strings.Contains(string(value), "/") && !validate.IsStandardLimitRangeType(value) {
		errs = append(errs, field.Invalid(fldPath, value, "must be a standard limit type or fully qualified"))
	}
	return errs
}

func validateResourceName(t corev1.LimitType, name corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	if t == corev1.LimitTypePod || t == corev1.LimitTypeContainer {
		return corevalidation.ValidateContainerResourceName(name, fldPath)
	}
	return validate.ResourceName(name, fldPath)
}
