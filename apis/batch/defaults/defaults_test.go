package defaults

import (
	"math"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func defaulted(t *testing.T, obj runtime.Object) {
	t.Helper()
	s := runtime.NewScheme()
	if err := batchv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	s.Default(obj)
}

func TestJobDefaults(t *testing.T) {
	tests := []struct {
		name                              string
		spec                              batchv1.JobSpec
		completions, parallelism, backoff *int32
		replacement                       batchv1.PodReplacementPolicy
	}{
		{name: "empty", completions: ptr.To[int32](1), parallelism: ptr.To[int32](1), backoff: ptr.To[int32](6), replacement: batchv1.TerminatingOrFailed},
		{name: "completions only", spec: batchv1.JobSpec{Completions: ptr.To[int32](5)}, completions: ptr.To[int32](5), parallelism: ptr.To[int32](1), backoff: ptr.To[int32](6), replacement: batchv1.TerminatingOrFailed},
		{name: "parallelism only", spec: batchv1.JobSpec{Parallelism: ptr.To[int32](3)}, parallelism: ptr.To[int32](3), backoff: ptr.To[int32](6), replacement: batchv1.TerminatingOrFailed},
		{
			name: "backoff per index", spec: batchv1.JobSpec{BackoffLimitPerIndex: ptr.To[int32](1)},
			completions: ptr.To[int32](1), parallelism: ptr.To[int32](1), backoff: ptr.To[int32](math.MaxInt32), replacement: batchv1.TerminatingOrFailed,
		},
		{
			name: "pod failure policy", spec: batchv1.JobSpec{PodFailurePolicy: &batchv1.PodFailurePolicy{}},
			completions: ptr.To[int32](1), parallelism: ptr.To[int32](1), backoff: ptr.To[int32](6), replacement: batchv1.Failed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := &batchv1.Job{Spec: tt.spec}
			defaulted(t, job)
			s := job.Spec
			if !ptr.Equal(s.Completions, tt.completions) || !ptr.Equal(s.Parallelism, tt.parallelism) || !ptr.Equal(s.BackoffLimit, tt.backoff) {
				t.Errorf("completions %v parallelism %v backoffLimit %v", s.Completions, s.Parallelism, s.BackoffLimit)
			}
			if *s.PodReplacementPolicy != tt.replacement || *s.CompletionMode != batchv1.NonIndexedCompletion || *s.Suspend || *s.ManualSelector {
				t.Errorf("spec %+v", s)
			}
		})
	}
}

func TestJobLabelsFromTemplate(t *testing.T) {
	job := &batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"a": "b"}}}}}
	defaulted(t, job)
	if job.Labels["a"] != "b" {
		t.Errorf("labels = %v", job.Labels)
	}
	job = &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"own": "x"}}, Spec: job.Spec}
	defaulted(t, job)
	if len(job.Labels) != 1 {
		t.Errorf("labels = %v", job.Labels)
	}
}

func TestPodFailurePolicyPatternDefault(t *testing.T) {
	job := &batchv1.Job{Spec: batchv1.JobSpec{PodFailurePolicy: &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
		OnPodConditions: []batchv1.PodFailurePolicyOnPodConditionsPattern{{Type: corev1.DisruptionTarget}},
	}}}}}
	defaulted(t, job)
	if got := job.Spec.PodFailurePolicy.Rules[0].OnPodConditions[0].Status; got != corev1.ConditionTrue {
		t.Errorf("status = %q", got)
	}
}

func TestCronJobDefaults(t *testing.T) {
	cj := &batchv1.CronJob{}
	defaulted(t, cj)
	s := cj.Spec
	if s.ConcurrencyPolicy != batchv1.AllowConcurrent || *s.Suspend || *s.SuccessfulJobsHistoryLimit != 3 || *s.FailedJobsHistoryLimit != 1 {
		t.Errorf("spec %+v", s)
	}
	// The Job template is not a Job: it gets no Job defaults (its selector is generated later).
	if s.JobTemplate.Spec.Completions != nil || s.JobTemplate.Spec.BackoffLimit != nil {
		t.Errorf("job template %+v", s.JobTemplate.Spec)
	}
}
