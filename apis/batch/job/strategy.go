package job

import (
	"context"
	"fmt"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Jobs.
var Strategy = strategy{registry.NewStrategy(true, true, "batch/v1")}

// PrepareForCreate also generates the selector unless it is manual, and drops
// spec.scheduling (the WorkloadWithJob feature is alpha, off by default).
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	job := obj.(*batchv1.Job)
	if !ptr.Deref(job.Spec.ManualSelector, false) {
		GenerateSelector(job)
	}
	job.Spec.Scheduling = nil
}

// PrepareForUpdate also drops a newly set spec.scheduling.
func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	job := obj.(*batchv1.Job)
	if old.(*batchv1.Job).Spec.Scheduling == nil {
		job.Spec.Scheduling = nil
	}
	s.Strategy.PrepareForUpdate(ctx, obj, old)
}

// GenerateSelector labels the pod template with the Job's name and UID (keeping labels the
// user set) and selects on the UID.
func GenerateSelector(job *batchv1.Job) {
	if job.Spec.Template.Labels == nil {
		job.Spec.Template.Labels = map[string]string{}
	}
	for key, value := range map[string]string{
		LegacyJobNameLabel: job.Name, batchv1.JobNameLabel: job.Name,
		LegacyControllerUIDLabel: string(job.UID), batchv1.ControllerUidLabel: string(job.UID),
	} {
		if _, found := job.Spec.Template.Labels[key]; !found {
			job.Spec.Template.Labels[key] = value
		}
	}
	if job.Spec.Selector == nil {
		job.Spec.Selector = &metav1.LabelSelector{}
	}
	if job.Spec.Selector.MatchLabels == nil {
		job.Spec.Selector.MatchLabels = map[string]string{}
	}
	if _, found := job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel]; !found {
		job.Spec.Selector.MatchLabels[batchv1.ControllerUidLabel] = string(job.UID)
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*batchv1.Job))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	job, oldJob := obj.(*batchv1.Job), old.(*batchv1.Job)
	return ValidateUpdate(job, oldJob, updateOptions(job, oldJob))
}

// updateOptions are the validation options an update of old gets: a suspended Job that has not
// started (or was suspended again) and has no active pods may change its scheduling
// directives and container resources (both features are beta, on by default).
func updateOptions(job, old *batchv1.Job) Options {
	mutable := ptr.Deref(old.Spec.Suspend, false) &&
		(old.Status.StartTime == nil || conditionTrue(old.Status.Conditions, batchv1.JobSuspended)) &&
		old.Status.Active == 0
	_, hadJobName := old.Spec.Template.Labels[batchv1.JobNameLabel]
	_, hadControllerUID := old.Spec.Template.Labels[batchv1.ControllerUidLabel]
	podOpts := corevalidation.OptionsForPodSpecs(&job.Spec.Template.Spec, &old.Spec.Template.Spec, &old.Spec.Template.ObjectMeta)
	podOpts.AllowInvalidLabelValueInSelector = podOpts.AllowInvalidLabelValueInSelector || metav1validation.LabelSelectorHasInvalidLabelValue(old.Spec.Selector)
	return Options{
		PodValidationOptions:             podOpts,
		RequirePrefixedLabels:            hadJobName && hadControllerUID,
		AllowMutableSchedulingDirectives: mutable,
		AllowMutablePodResources:         mutable,
	}
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	job := obj.(*batchv1.Job)
	return append(appsvalidation.DNS1123LabelNameWarning(job.Name), SpecWarnings(field.NewPath("spec"), &job.Spec)...)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	job := obj.(*batchv1.Job)
	if job.Generation == old.(*batchv1.Job).Generation {
		return nil
	}
	return SpecWarnings(field.NewPath("spec"), &job.Spec)
}

// SpecWarnings warns about Indexed Jobs too large to track failed indexes reliably and about
// the pod template (at fldPath.template).
func SpecWarnings(fldPath *field.Path, spec *batchv1.JobSpec) []string {
	var warnings []string
	if ptr.Deref(spec.CompletionMode, "") == batchv1.IndexedCompletion &&
		ptr.Deref(spec.Completions, 0) > completionsSoftLimit && ptr.Deref(spec.Parallelism, 0) > parallelismLimitForHighCompletions {
		warnings = append(warnings, fmt.Sprintf("%s: In Indexed Jobs with a number of completions higher than 10^5 and a parallelism higher than 10^4, Kubernetes might not be able to track completedIndexes when a big number of indexes fail", fldPath))
	}
	return append(warnings, corevalidation.WarningsForPodTemplate(fldPath.Child("template"), &spec.Template)...)
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*batchv1.Job).Spec = old.(*batchv1.Job).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*batchv1.Job), old.(*batchv1.Job))
}

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"batch/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
