package cronjob

import (
	"context"
	"strings"
	"testing"

	"github.com/skiff-sh/skiff/apis/registry/registrytest"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		schedule, err string
	}{
		{schedule: "*/5 * * * *"},
		{schedule: "0 0 1 jan-mar mon,fri"},
		{schedule: "0-59/15 9-17 ? * 1-5"},
		{schedule: "@hourly"},
		{schedule: "@every 1h30m"},
		{schedule: "CRON_TZ=UTC 0 * * * *"},
		{schedule: "", err: "empty spec string"},
		{schedule: "* * * *", err: "expected exactly 5 fields, found 4: [* * * *]"},
		{schedule: "60 * * * *", err: "end of range (60) above maximum (59): 60"},
		{schedule: "* * 0 * *", err: "beginning of range (0) below minimum (1): 0"},
		{schedule: "5-1 * * * *", err: "beginning of range (5) beyond end of range (1): 5-1"},
		{schedule: "*/0 * * * *", err: "step of range should be a positive number: */0"},
		{schedule: "1-2-3 * * * *", err: "too many hyphens: 1-2-3"},
		{schedule: "*/1/2 * * * *", err: "too many slashes: */1/2"},
		{schedule: "x * * * *", err: `failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax`},
		{schedule: "@fortnightly", err: "unrecognized descriptor: @fortnightly"},
		{schedule: "@every soon", err: `failed to parse duration @every soon: time: invalid duration "soon"`},
		{schedule: "TZ=Nowhere/City * * * * *", err: "provided bad location Nowhere/City: unknown time zone Nowhere/City"},
		{schedule: "TZ=UTC", err: "invalid schedule format: runtime error: slice bounds out of range [:-1]"},
	}
	for _, tt := range tests {
		err := parseSchedule(tt.schedule)
		if (err == nil && tt.err != "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%q: error %v, want %q", tt.schedule, err, tt.err)
		}
	}
}

func validCronJob() *batchv1.CronJob {
	return &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Name: "backup", Namespace: "default", ResourceVersion: "1"},
		Spec: batchv1.CronJobSpec{
			Schedule:                   "*/5 * * * *",
			ConcurrencyPolicy:          batchv1.AllowConcurrent,
			Suspend:                    ptr.To(false),
			SuccessfulJobsHistoryLimit: ptr.To[int32](3),
			FailedJobsHistoryLimit:     ptr.To[int32](1),
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Template: registrytest.PodTemplate(nil, corev1.RestartPolicyOnFailure),
			}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*batchv1.CronJob)
		want   []string
	}{
		{name: "valid", mutate: func(*batchv1.CronJob) {}},
		{name: "time zone", mutate: func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("Europe/Berlin") }},
		{name: "no schedule", mutate: func(cj *batchv1.CronJob) { cj.Spec.Schedule = "" }, want: []string{"Required value spec.schedule"}},
		{name: "bad schedule", mutate: func(cj *batchv1.CronJob) { cj.Spec.Schedule = "every day" }, want: []string{"Invalid value spec.schedule"}},
		{name: "TZ in schedule", mutate: func(cj *batchv1.CronJob) { cj.Spec.Schedule = "TZ=UTC 0 * * * *" }, want: []string{"Invalid value spec.schedule"}},
		{name: "unknown time zone", mutate: func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("Mars/Olympus") }, want: []string{"Invalid value spec.timeZone"}},
		{name: "empty time zone", mutate: func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("") }, want: []string{"Invalid value spec.timeZone"}},
		{name: "Local time zone", mutate: func(cj *batchv1.CronJob) { cj.Spec.TimeZone = ptr.To("Local") }, want: []string{"Invalid value spec.timeZone"}},
		{name: "concurrency policy", mutate: func(cj *batchv1.CronJob) { cj.Spec.ConcurrencyPolicy = "Sometimes" }, want: []string{"Unsupported value spec.concurrencyPolicy"}},
		{name: "negative history", mutate: func(cj *batchv1.CronJob) { cj.Spec.FailedJobsHistoryLimit = ptr.To[int32](-1) }, want: []string{"Invalid value spec.failedJobsHistoryLimit"}},
		{name: "negative deadline", mutate: func(cj *batchv1.CronJob) { cj.Spec.StartingDeadlineSeconds = ptr.To[int64](-1) }, want: []string{"Invalid value spec.startingDeadlineSeconds"}},
		{name: "long name", mutate: func(cj *batchv1.CronJob) { cj.Name = strings.Repeat("a", 53) }, want: []string{"Invalid value metadata.name"}},
		{
			name:   "selector",
			mutate: func(cj *batchv1.CronJob) { cj.Spec.JobTemplate.Spec.Selector = &metav1.LabelSelector{} },
			want:   []string{"Invalid value spec.jobTemplate.spec.selector"},
		},
		{
			name:   "manual selector",
			mutate: func(cj *batchv1.CronJob) { cj.Spec.JobTemplate.Spec.ManualSelector = ptr.To(true) },
			want:   []string{"Unsupported value spec.jobTemplate.spec.manualSelector"},
		},
		{
			name: "job template restartPolicy",
			mutate: func(cj *batchv1.CronJob) {
				cj.Spec.JobTemplate.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyAlways
			},
			want: []string{"Required value spec.jobTemplate.spec.template.spec.restartPolicy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cj := validCronJob()
			tt.mutate(cj)
			registrytest.ExpectErrors(t, Validate(cj), tt.want...)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validCronJob()
	old.Name = strings.Repeat("a", 60) // stored before the limit
	old.Spec.Schedule = "TZ=UTC 0 * * * *"
	cj := old.DeepCopy()
	cj.Spec.Suspend = ptr.To(true)
	registrytest.ExpectErrors(t, ValidateUpdate(cj, old))
	cj.Spec.TimeZone = ptr.To("UTC")
	registrytest.ExpectErrors(t, ValidateUpdate(cj, old), "Invalid value spec.schedule")
	if w := Strategy.WarningsOnUpdate(context.Background(), cj, old); len(w) != 1 {
		t.Errorf("warnings = %v", w)
	}
}

func TestTable(t *testing.T) {
	cj := validCronJob()
	cj.Status.Active = []corev1.ObjectReference{{Name: "backup-1"}}
	cells, err := table.Row(cj)
	if err != nil {
		t.Fatal(err)
	}
	if cells[0] != "*/5 * * * *" || cells[1] != "<none>" || cells[2] != "False" || cells[3] != int64(1) || cells[4] != "<none>" || cells[6] != "c" {
		t.Errorf("cells = %v", cells)
	}
}
