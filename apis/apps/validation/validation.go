package validation

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// ValidatePositiveIntOrPercent checks that v is a non-negative integer or a percentage.
func ValidatePositiveIntOrPercent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch v.Type {
	case intstr.String:
		for _, msg := range utilvalidation.IsValidPercent(v.StrVal) {
			errs = append(errs, field.Invalid(fldPath, v, msg))
		}
	case intstr.Int:
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(v.IntValue()), fldPath)...)
	default:
		errs = append(errs, field.Invalid(fldPath, v, "must be an integer or percentage (e.g '5%%')"))
	}
	return errs
}

// percent returns the value of a valid percentage and whether v is one.
func percent(v intstr.IntOrString) (int, bool) {
	if v.Type != intstr.String || len(utilvalidation.IsValidPercent(v.StrVal)) != 0 {
		return 0, false
	}
	n, _ := strconv.Atoi(v.StrVal[:len(v.StrVal)-1])
	return n, true
}

// IntOrPercentValue returns the number in v, whether a count or a percentage.
func IntOrPercentValue(v intstr.IntOrString) int {
	if n, ok := percent(v); ok {
		return n
	}
	return v.IntValue()
}

// IsNotMoreThan100Percent rejects percentages above 100%.
func IsNotMoreThan100Percent(v intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	if n, ok := percent(v); !ok || n <= 100 {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, v, "must not be greater than 100%")}
}

// Deref returns *v, or the zero value for nil (how the internal API sees an unset field).
func Deref[T any](v *T) T {
	if v == nil {
		var zero T
		return zero
	}
	return *v
}

// ValidateSelector checks a workload's required, non-empty label selector; kind names the
// workload in the empty-selector message. It returns the parsed selector, nil when invalid.
func ValidateSelector(sel *metav1.LabelSelector, kind string, fldPath *field.Path) (labels.Selector, field.ErrorList) {
	var errs field.ErrorList
	if sel == nil {
		errs = append(errs, field.Required(fldPath, ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, fldPath)...)
		if len(sel.MatchLabels)+len(sel.MatchExpressions) == 0 {
			errs = append(errs, field.Invalid(fldPath, sel, "empty selector is invalid for "+kind))
		}
	}
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return nil, errs
	}
	return selector, errs
}

// ValidatePodTemplateSpecForReplicaSet checks the template of a Deployment or ReplicaSet: it
// must match selector, be a valid pod template, restart Always and set no active deadline.
func ValidatePodTemplateSpecForReplicaSet(template *corev1.PodTemplateSpec, selector labels.Selector, fldPath *field.Path, opts corevalidation.PodValidationOptions) field.ErrorList {
	var errs field.ErrorList
	if !selector.Empty() && !selector.Matches(labels.Set(template.Labels)) {
		errs = append(errs, field.Invalid(fldPath.Child("metadata", "labels"), template.Labels, "`selector` does not match template `labels`"))
	}
	errs = append(errs, corevalidation.ValidatePodTemplateSpec(template, fldPath, opts)...)
	errs = append(errs, ValidateRestartPolicyAlways(template, fldPath.Child("spec"), "ReplicaSet")...)
	return errs
}

// ValidateRestartPolicyAlways requires restartPolicy Always and no activeDeadlineSeconds, as
// the pods of long-running workloads need; kind names the workload in the message.
func ValidateRestartPolicyAlways(template *corev1.PodTemplateSpec, specPath *field.Path, kind string) field.ErrorList {
	var errs field.ErrorList
	if template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(specPath.Child("restartPolicy"), template.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(specPath.Child("activeDeadlineSeconds"), "activeDeadlineSeconds in "+kind+" is not Supported"))
	}
	return errs
}

// ContainerCells returns the comma-separated container names and images of a pod template,
// as the wide Table columns show them.
func ContainerCells(containers []corev1.Container) (names, images string) {
	for i, c := range containers {
		if i > 0 {
			names += ","
			images += ","
		}
		names += c.Name
		images += c.Image
	}
	return names, images
}

// DNS1123LabelNameWarning is upstream's warning for workload names that are DNS subdomains but
// not DNS labels (they end up in pod names and hostnames); nil when name is a label.
func DNS1123LabelNameWarning(name string) []string {
	if msgs := utilvalidation.IsDNS1123Label(name); len(msgs) != 0 {
		return []string{fmt.Sprintf("metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: %v", msgs)}
	}
	return nil
}

// TemplateWarnings are upstream's warnings about a workload's pod template at spec.template
// (deprecated node labels and annotations, duplicate env vars, fractional byte values ...).
func TemplateWarnings(tmpl *corev1.PodTemplateSpec) []string {
	return corevalidation.WarningsForPodTemplate(field.NewPath("spec", "template"), tmpl)
}

// ValidateCollisionCountNotDecremented rejects a status write that lowers (or clears) the
// collision count.
func ValidateCollisionCountNotDecremented(count, old *int32, fldPath *field.Path) field.ErrorList {
	decremented := (count == nil && old != nil) || (count != nil && old != nil && *count < *old)
	if !decremented {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, Deref(count), "cannot be decremented")}
}

// Count is one named status counter for NonNegative.
type Count struct {
	Name  string
	Value int64
}

// NonNegative checks that every counter, a child of fldPath, is at least 0.
func NonNegative(fldPath *field.Path, counts ...Count) field.ErrorList {
	var errs field.ErrorList
	for _, c := range counts {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(c.Value, fldPath.Child(c.Name))...)
	}
	return errs
}

// PodOptions returns the pod validation options for template, an update of old (nil on create):
// rules the stored template already broke are relaxed, as upstream does.
func PodOptions(template, old *corev1.PodTemplateSpec) corevalidation.PodValidationOptions {
	if old == nil {
		return corevalidation.OptionsForPodSpecs(&template.Spec, nil, nil)
	}
	return corevalidation.OptionsForPodSpecs(&template.Spec, &old.Spec, &old.ObjectMeta)
}
