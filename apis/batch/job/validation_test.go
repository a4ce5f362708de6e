package job

import (
	"context"
	"testing"
	"time"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// newJob returns a Job as the registry sees it after defaulting and PrepareForCreate.
func newJob() *batchv1.Job {
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "pi", Namespace: "default", UID: "1234", ResourceVersion: "1"},
		Spec: batchv1.JobSpec{
			Completions: ptr.To[int32](1), Parallelism: ptr.To[int32](1), BackoffLimit: ptr.To[int32](6),
			CompletionMode: ptr.To(batchv1.NonIndexedCompletion), Suspend: ptr.To(false), ManualSelector: ptr.To(false),
			PodReplacementPolicy: ptr.To(batchv1.TerminatingOrFailed),
			Template:             registrytest.PodTemplate(nil, corev1.RestartPolicyNever),
		},
	}
	Strategy.PrepareForCreate(context.Background(), job)
	return job
}

func TestGenerateSelector(t *testing.T) {
	job := newJob()
	want := map[string]string{
		"controller-uid": "1234", "job-name": "pi",
		batchv1.ControllerUidLabel: "1234", batchv1.JobNameLabel: "pi",
	}
	for k, v := range want {
		if job.Spec.Template.Labels[k] != v {
			t.Errorf("template label %s = %q, want %q", k, job.Spec.Template.Labels[k], v)
		}
	}
	if sel := job.Spec.Selector.MatchLabels; len(sel) != 1 || sel[batchv1.ControllerUidLabel] != "1234" {
		t.Errorf("selector = %v", job.Spec.Selector)
	}
	registrytest.ExpectErrors(t, Validate(job))
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*batchv1.Job)
		want   []string
	}{
		{name: "valid", mutate: func(*batchv1.Job) {}},
		{
			name:   "restartPolicy Always",
			mutate: func(j *batchv1.Job) { j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways },
			want:   []string{"Required value spec.template.spec.restartPolicy"},
		},
		{
			name:   "generated label changed",
			mutate: func(j *batchv1.Job) { j.Spec.Template.Labels["job-name"] = "other" },
			want:   []string{"Invalid value spec.template.metadata.labels[job-name]"},
		},
		{
			name: "generated selector changed",
			mutate: func(j *batchv1.Job) {
				j.Spec.Selector.MatchLabels["extra"] = "x"
				j.Spec.Template.Labels["extra"] = "x"
			},
			want: []string{"Invalid value spec.selector"},
		},
		{
			name: "manual selector must match the template",
			mutate: func(j *batchv1.Job) {
				j.Spec.ManualSelector = ptr.To(true)
				j.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": "pi"}}
			},
			want: []string{"Invalid value spec.template.metadata.labels"},
		},
		{name: "negative parallelism", mutate: func(j *batchv1.Job) { j.Spec.Parallelism = ptr.To[int32](-1) }, want: []string{"Invalid value spec.parallelism"}},
		{name: "negative backoffLimit", mutate: func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To[int32](-1) }, want: []string{"Invalid value spec.backoffLimit"}},
		{
			name:   "backoffLimitPerIndex needs Indexed",
			mutate: func(j *batchv1.Job) { j.Spec.BackoffLimitPerIndex = ptr.To[int32](1) },
			want:   []string{"Invalid value spec.backoffLimitPerIndex"},
		},
		{
			name: "Indexed needs completions",
			mutate: func(j *batchv1.Job) {
				j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
				j.Spec.Completions = nil
			},
			want: []string{"Required value spec.completions"},
		},
		{name: "unknown completion mode", mutate: func(j *batchv1.Job) { j.Spec.CompletionMode = ptr.To(batchv1.CompletionMode("Half")) }, want: []string{"Unsupported value spec.completionMode"}},
		{
			name: "pod failure policy needs restartPolicy Never and replacement Failed",
			mutate: func(j *batchv1.Job) {
				j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyOnFailure
				j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
					Action: batchv1.PodFailurePolicyActionFailJob, OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{1}},
				}}}
			},
			want: []string{"Invalid value spec.template.spec.restartPolicy", "Unsupported value spec.podReplacementPolicy"},
		},
		{
			name: "pod failure policy rules",
			mutate: func(j *batchv1.Job) {
				j.Spec.PodReplacementPolicy = ptr.To(batchv1.Failed)
				j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{
					{Action: "Explode", OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{3, 0, 3}}},
					{Action: batchv1.PodFailurePolicyActionIgnore},
				}}
			},
			want: []string{
				"Unsupported value spec.podFailurePolicy.rules[0].action",
				"Invalid value spec.podFailurePolicy.rules[0].onExitCodes.values[1]",
				"Duplicate value spec.podFailurePolicy.rules[0].onExitCodes.values[2]",
				"Invalid value spec.podFailurePolicy.rules[0].onExitCodes.values",
				"Invalid value spec.podFailurePolicy.rules[1]",
			},
		},
		{
			name: "success policy needs Indexed",
			mutate: func(j *batchv1.Job) {
				j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededCount: ptr.To[int32](1)}}}
			},
			want: []string{"Invalid value spec.successPolicy"},
		},
		{
			name: "success policy indexes",
			mutate: func(j *batchv1.Job) {
				j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
				j.Spec.Completions = ptr.To[int32](5)
				j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr.To("3-1,7")}}}
			},
			want: []string{"Invalid value spec.successPolicy.rules[0].succeededIndexes"},
		},
		{name: "managedBy", mutate: func(j *batchv1.Job) { j.Spec.ManagedBy = ptr.To("no-domain") }, want: []string{"Invalid value spec.managedBy"}},
		{
			name: "indexed job name too long for its pods' hostnames",
			mutate: func(j *batchv1.Job) {
				j.Name = "a123456789a123456789a123456789a123456789a123456789a123456789ab"
				j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
				j.Spec.Completions = ptr.To[int32](10)
				GenerateSelectorLabels(j)
			},
			want: []string{"Invalid value metadata.name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := newJob()
			tt.mutate(job)
			registrytest.ExpectErrors(t, Validate(job), tt.want...)
		})
	}
}

// GenerateSelectorLabels redoes the name labels after a test renames the Job.
func GenerateSelectorLabels(j *batchv1.Job) {
	j.Spec.Template.Labels["job-name"] = j.Name
	j.Spec.Template.Labels[batchv1.JobNameLabel] = j.Name
}

func TestValidateUpdate(t *testing.T) {
	suspended := func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true) }
	tests := []struct {
		name    string
		prepare func(old *batchv1.Job)
		mutate  func(*batchv1.Job)
		want    []string
	}{
		{name: "suspend and change parallelism", mutate: func(j *batchv1.Job) { j.Spec.Suspend = ptr.To(true); j.Spec.Parallelism = ptr.To[int32](3) }},
		{name: "completions immutable", mutate: func(j *batchv1.Job) { j.Spec.Completions = ptr.To[int32](3) }, want: []string{"Invalid value spec.completions"}},
		{
			name:    "indexed completions change with parallelism",
			prepare: func(j *batchv1.Job) { j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion) },
			mutate:  func(j *batchv1.Job) { j.Spec.Completions = ptr.To[int32](3); j.Spec.Parallelism = ptr.To[int32](3) },
		},
		{
			name:    "indexed completions change alone",
			prepare: func(j *batchv1.Job) { j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion) },
			mutate:  func(j *batchv1.Job) { j.Spec.Completions = ptr.To[int32](3) },
			want:    []string{"Invalid value spec.completions"},
		},
		{name: "template immutable", mutate: func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "x:2" }, want: []string{"Invalid value spec.template"}},
		{
			name:    "suspended job may change scheduling directives",
			prepare: suspended,
			mutate: func(j *batchv1.Job) {
				j.Spec.Template.Spec.NodeSelector = map[string]string{"zone": "a"}
				j.Spec.Template.Annotations = map[string]string{"x": "y"}
			},
		},
		{
			name:    "suspended job may change resources",
			prepare: suspended,
			mutate: func(j *batchv1.Job) {
				j.Spec.Template.Spec.Containers[0].Resources.Limits = corev1.ResourceList{corev1.ResourceCPU: *resourceQuantity("1")}
			},
		},
		{
			name:    "suspended job may not change images",
			prepare: suspended,
			mutate:  func(j *batchv1.Job) { j.Spec.Template.Spec.Containers[0].Image = "x:2" },
			want:    []string{"Invalid value spec.template.spec"},
		},
		{name: "selector immutable", mutate: func(j *batchv1.Job) { j.Spec.Selector.MatchLabels["more"] = "x"; j.Spec.Template.Labels["more"] = "x" }, want: []string{"Invalid value spec.selector", "Invalid value spec.template"}},
		{name: "completionMode immutable", mutate: func(j *batchv1.Job) { j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion) }, want: []string{"Invalid value spec.completionMode"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newJob()
			if tt.prepare != nil {
				tt.prepare(old)
			}
			job := old.DeepCopy()
			tt.mutate(job)
			registrytest.ExpectErrors(t, ValidateUpdate(job, old, updateOptions(job, old)), tt.want...)
		})
	}
}

func TestValidateStatusUpdate(t *testing.T) {
	now := metav1.NewTime(time.Now().Truncate(time.Second))
	later := metav1.NewTime(now.Add(time.Minute))
	cond := func(t batchv1.JobConditionType) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue}
	}
	tests := []struct {
		name        string
		old, status batchv1.JobStatus
		want        []string
	}{
		{name: "start", status: batchv1.JobStatus{StartTime: &now, Active: 1, Ready: ptr.To[int32](1)}},
		{
			name: "complete", old: batchv1.JobStatus{StartTime: &now, Active: 1},
			status: batchv1.JobStatus{StartTime: &now, CompletionTime: &later, Succeeded: 1, Conditions: []batchv1.JobCondition{cond(batchv1.JobSuccessCriteriaMet), cond(batchv1.JobComplete)}},
		},
		{
			name:   "complete without the criteria condition, completion time or start time",
			status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{cond(batchv1.JobComplete)}},
			want:   []string{"Invalid value status.conditions", "Required value status.completionTime", "Required value status.startTime"},
		},
		{
			name: "failed counter decreases", old: batchv1.JobStatus{StartTime: &now, Failed: 2},
			status: batchv1.JobStatus{StartTime: &now, Failed: 1},
			want:   []string{"Invalid value status.failed"},
		},
		{name: "more ready than active", status: batchv1.JobStatus{StartTime: &now, Ready: ptr.To[int32](2)}, want: []string{"Invalid value status.ready"}},
		{
			name:   "uncounted pods",
			status: batchv1.JobStatus{StartTime: &now, UncountedTerminatedPods: &batchv1.UncountedTerminatedPods{Succeeded: []types.UID{"a", ""}, Failed: []types.UID{"a"}}},
			want:   []string{"Invalid value status.uncountedTerminatedPods.succeeded[1]", "Duplicate value status.uncountedTerminatedPods.failed[0]"},
		},
		{
			name: "terminal condition removed", old: batchv1.JobStatus{StartTime: &now, Conditions: []batchv1.JobCondition{cond(batchv1.JobFailureTarget)}},
			status: batchv1.JobStatus{StartTime: &now},
			want:   []string{"Invalid value status.conditions"},
		},
		{name: "completedIndexes of a NonIndexed job", status: batchv1.JobStatus{StartTime: &now, CompletedIndexes: "0"}, want: []string{"Invalid value status.completedIndexes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newJob()
			old.Status = tt.old
			job := old.DeepCopy()
			job.Status = tt.status
			registrytest.ExpectErrors(t, ValidateStatusUpdate(job, old), tt.want...)
		})
	}
}

func TestIndexes(t *testing.T) {
	tests := []struct {
		indexes string
		total   int32
		err     bool
	}{
		{"", 0, false}, {"0", 1, false}, {"0,2-4", 4, false}, {"2-4,3", 0, true}, {"5", 0, true}, {"1-1", 0, true}, {"a", 0, true}, {"1-2-3", 0, true},
	}
	for _, tt := range tests {
		total, err := validateIndexesFormat(tt.indexes, 5)
		if total != tt.total || (err != nil) != tt.err {
			t.Errorf("%q: total %d, err %v", tt.indexes, total, err)
		}
	}
	if err := validateFailedIndexesNotOverlapCompleted("0-2,7", "3-5,7", 10); err == nil || err.Error() != "failedIndexes and completedIndexes overlap at index: 7" {
		t.Errorf("overlap: %v", err)
	}
	if err := validateFailedIndexesNotOverlapCompleted("0-2", "3-5", 10); err != nil {
		t.Errorf("no overlap: %v", err)
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	old := newJob()
	if old.Generation != 1 {
		t.Errorf("generation = %d", old.Generation)
	}
	job := old.DeepCopy()
	job.Spec.Suspend = ptr.To(true)
	job.Status.Active = 4
	Strategy.PrepareForUpdate(ctx, job, old)
	if job.Generation != 2 || job.Status.Active != 0 {
		t.Errorf("update: generation %d, status %+v", job.Generation, job.Status)
	}
	job = old.DeepCopy()
	job.Spec.Suspend = ptr.To(true)
	job.Status.Active = 4
	StatusStrategy.PrepareForUpdate(ctx, job, old)
	if *job.Spec.Suspend || job.Status.Active != 4 {
		t.Errorf("status update: spec %+v, status %+v", job.Spec, job.Status)
	}
}

func TestTable(t *testing.T) {
	start := metav1.NewTime(time.Now().Add(-90 * time.Second))
	end := metav1.NewTime(start.Add(30 * time.Second))
	tests := []struct {
		name                          string
		mutate                        func(*batchv1.Job)
		status, completions, duration string
	}{
		{name: "new", mutate: func(*batchv1.Job) {}, status: "Running", completions: "0/1"},
		{name: "suspended", mutate: func(j *batchv1.Job) {
			j.Status.Conditions = []batchv1.JobCondition{{Type: batchv1.JobSuspended, Status: corev1.ConditionTrue}}
		}, status: "Suspended", completions: "0/1"},
		{name: "complete", mutate: func(j *batchv1.Job) {
			j.Status = batchv1.JobStatus{Succeeded: 1, StartTime: &start, CompletionTime: &end, Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}
		}, status: "Complete", completions: "1/1", duration: "30s"},
		{name: "work queue", mutate: func(j *batchv1.Job) { j.Spec.Completions = nil; j.Spec.Parallelism = ptr.To[int32](3) }, status: "Running", completions: "0/1 of 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := newJob()
			tt.mutate(job)
			cells, err := table.Row(job)
			if err != nil {
				t.Fatal(err)
			}
			if cells[0] != tt.status || cells[1] != tt.completions || cells[2] != tt.duration {
				t.Errorf("cells = %v", cells)
			}
		})
	}
}

func resourceQuantity(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}
