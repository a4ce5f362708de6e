package cronjob

import (
	"context"
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/batch/job"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of CronJobs.
var Strategy = strategy{registry.NewStrategy(true, true, "batch/v1")}

// PrepareForCreate also drops the Job template's spec.scheduling (WorkloadWithJob is alpha).
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	obj.(*batchv1.CronJob).Spec.JobTemplate.Spec.Scheduling = nil
}

// PrepareForUpdate also drops a newly set spec.scheduling of the Job template.
func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	if old.(*batchv1.CronJob).Spec.JobTemplate.Spec.Scheduling == nil {
		obj.(*batchv1.CronJob).Spec.JobTemplate.Spec.Scheduling = nil
	}
	s.Strategy.PrepareForUpdate(ctx, obj, old)
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*batchv1.CronJob))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*batchv1.CronJob), old.(*batchv1.CronJob))
}

var jobSpecPath = field.NewPath("spec", "jobTemplate", "spec")

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	cj := obj.(*batchv1.CronJob)
	return append(appsvalidation.DNS1123LabelNameWarning(cj.Name), job.SpecWarnings(jobSpecPath, &cj.Spec.JobTemplate.Spec)...)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	cj := obj.(*batchv1.CronJob)
	var warnings []string
	if cj.Generation != old.(*batchv1.CronJob).Generation {
		warnings = job.SpecWarnings(jobSpecPath, &cj.Spec.JobTemplate.Spec)
	}
	if strings.Contains(cj.Spec.Schedule, "TZ") {
		// Upstream's message names the field spec.spec.schedule.
		warnings = append(warnings, fmt.Sprintf("cannot use TZ or CRON_TZ in %s, use timeZone instead, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details", field.NewPath("spec", "spec", "schedule")))
	}
	return warnings
}

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec and validates
// nothing else.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*batchv1.CronJob).Spec = old.(*batchv1.CronJob).Spec
}

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"batch/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
