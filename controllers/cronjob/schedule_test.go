package cronjob

import (
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
)

var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

func at(s string) time.Time {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return t0.Add(d)
}

func cronJob(schedule string, created time.Time, lastSchedule *time.Time) *batchv1.CronJob {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "hello", CreationTimestamp: metav1.NewTime(created)},
		Spec:       batchv1.CronJobSpec{Schedule: schedule},
	}
	if lastSchedule != nil {
		cj.Status.LastScheduleTime = ptr.To(metav1.NewTime(*lastSchedule))
	}
	return cj
}

func TestMostRecentScheduleTime(t *testing.T) {
	tests := []struct {
		name         string
		schedule     string
		created      time.Time
		last         *time.Time
		deadline     *int64
		now          time.Time
		want         *time.Time
		wantMissed   missed
		wantEarliest time.Time
		wantErr      bool
	}{
		{name: "not yet due", schedule: "* * * * *", created: at("30s"), now: at("50s"), wantEarliest: at("30s")},
		{name: "first time due", schedule: "* * * * *", created: at("30s"), now: at("70s"), want: ptr.To(at("1m")), wantEarliest: at("30s")},
		{name: "last schedule counts, not creation", schedule: "* * * * *", created: at("-1h"), last: ptr.To(at("1m")), now: at("1m30s"), wantEarliest: at("1m")},
		{name: "a few missed", schedule: "* * * * *", created: at("-1h"), last: ptr.To(at("1m")), now: at("3m10s"), want: ptr.To(at("3m")), wantMissed: fewMissed, wantEarliest: at("1m")},
		{name: "hourly, five missed", schedule: "0 * * * *", created: at("-5h30m"), now: at("10m"), want: ptr.To(at("0s")), wantMissed: fewMissed, wantEarliest: at("-5h30m")},
		{name: "too many missed", schedule: "* * * * *", created: at("-3h"), now: at("0s"), want: ptr.To(at("0s")), wantMissed: manyMissed, wantEarliest: at("-3h")},
		{
			name: "starting deadline moves the earliest time", schedule: "* * * * *", created: at("-3h"), deadline: ptr.To[int64](200),
			now: at("0s"), want: ptr.To(at("0s")), wantMissed: fewMissed, wantEarliest: at("-200s"),
		},
		{name: "@every", schedule: "@every 1h30m", created: at("0s"), now: at("3h10m"), want: ptr.To(at("3h")), wantMissed: fewMissed, wantEarliest: at("0s")},
		{name: "@hourly", schedule: "@hourly", created: at("-10m"), now: at("5m"), want: ptr.To(at("0s")), wantEarliest: at("-10m")},
		{name: "irregular schedule", schedule: "30 6-16/4 * * 1-5", created: at("-72h"), now: at("0s"), want: ptr.To(time.Date(2026, 3, 10, 6, 30, 0, 0, time.UTC)), wantMissed: fewMissed, wantEarliest: at("-72h")},
		{name: "never fires", schedule: "59 23 31 2 *", created: at("-1h"), now: at("0s"), wantErr: true, wantEarliest: at("-1h")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cj := cronJob(tt.schedule, tt.created, tt.last)
			cj.Spec.StartingDeadlineSeconds = tt.deadline
			sched, err := parseSchedule(tt.schedule)
			if err != nil {
				t.Fatal(err)
			}
			earliest, got, howMany, err := mostRecentScheduleTime(cj, tt.now, sched, true)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !ptr.Equal(got, tt.want) || howMany != tt.wantMissed || !earliest.Equal(tt.wantEarliest) {
				t.Errorf("got (%v, %v, %d), want (%v, %v, %d)", earliest, got, howMany, tt.wantEarliest, tt.want, tt.wantMissed)
			}
		})
	}
}

func TestNextScheduleTimeDuration(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		created  time.Time
		last     *time.Time
		now      time.Time
		want     time.Duration
	}{
		{name: "before the first", schedule: "* * * * *", created: at("30s"), now: at("40s"), want: 20*time.Second + nextScheduleDelta},
		{name: "after a start", schedule: "*/5 * * * *", created: at("-1h"), last: ptr.To(at("5m")), now: at("6m"), want: 4*time.Minute + nextScheduleDelta},
		{name: "missed ones: from now", schedule: "*/5 * * * *", created: at("-1h"), last: ptr.To(at("-30m")), now: at("6m"), want: 4*time.Minute + nextScheduleDelta},
		{name: "time zone", schedule: "TZ=Asia/Tokyo 0 20 * * *", created: at("0s"), now: at("0s"), want: time.Hour + nextScheduleDelta},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sched, err := parseSchedule(tt.schedule)
			if err != nil {
				t.Fatal(err)
			}
			if got := nextScheduleTimeDuration(cronJob(tt.schedule, tt.created, tt.last), tt.now, sched); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestNextScheduleTimeWarnsOnTooManyMissed(t *testing.T) {
	recorder := record.NewFakeRecorder(10)
	cj := cronJob("* * * * *", at("-3h"), nil)
	sched, _ := parseSchedule(cj.Spec.Schedule)
	got, err := nextScheduleTime(cj, at("10s"), sched, recorder)
	if err != nil || !ptr.Equal(got, ptr.To(at("0s"))) {
		t.Fatalf("got %v, %v", got, err)
	}
	select {
	case e := <-recorder.Events:
		if !strings.HasPrefix(e, "Warning TooManyMissedTimes too many missed start times") {
			t.Errorf("event %q", e)
		}
	default:
		t.Error("no TooManyMissedTimes event")
	}
}

func TestFormatAndParseSchedule(t *testing.T) {
	tests := []struct {
		name      string
		schedule  string
		timeZone  *string
		want      string
		wantEvent string
		wantNext  time.Time // after t0
		wantErr   bool
	}{
		{name: "plain", schedule: "0 9 * * *", want: "0 9 * * *", wantNext: time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)},
		{name: "time zone", schedule: "0 9 * * *", timeZone: ptr.To("America/New_York"), want: "TZ=America/New_York 0 9 * * *", wantNext: time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)},
		{name: "unknown time zone is left out", schedule: "0 9 * * *", timeZone: ptr.To("Mars/Olympus"), want: "0 9 * * *", wantNext: time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC)},
		{
			name: "CRON_TZ in the schedule wins, with a warning", schedule: "CRON_TZ=Asia/Tokyo 0 9 * * *", timeZone: ptr.To("UTC"),
			want: "CRON_TZ=Asia/Tokyo 0 9 * * *", wantEvent: "Warning UnsupportedSchedule CRON_TZ or TZ used in schedule", wantNext: time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC),
		},
		{name: "descriptor", schedule: "@daily", want: "@daily", wantNext: time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)},
		{name: "six fields are not standard", schedule: "0 0 9 * * *", want: "0 0 9 * * *", wantErr: true},
		{name: "broken TZ prefix does not panic", schedule: "TZ=0", want: "TZ=0", wantEvent: "Warning UnsupportedSchedule", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recorder := record.NewFakeRecorder(10)
			cj := cronJob(tt.schedule, t0, nil)
			cj.Spec.TimeZone = tt.timeZone
			got := formatSchedule(cj, recorder)
			if got != tt.want {
				t.Errorf("formatSchedule = %q, want %q", got, tt.want)
			}
			select {
			case e := <-recorder.Events:
				if tt.wantEvent == "" || !strings.HasPrefix(e, tt.wantEvent) {
					t.Errorf("event %q, want %q", e, tt.wantEvent)
				}
			default:
				if tt.wantEvent != "" {
					t.Errorf("no event, want %q", tt.wantEvent)
				}
			}
			sched, err := parseSchedule(got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSchedule(%q) err = %v, want error %v", got, err, tt.wantErr)
			}
			if err == nil && !sched.Next(t0).Equal(tt.wantNext) {
				t.Errorf("next after %v = %v, want %v", t0, sched.Next(t0), tt.wantNext)
			}
		})
	}
}

func TestJobFromTemplate(t *testing.T) {
	cj := cronJob("*/5 * * * *", t0, nil)
	cj.UID = "cj-uid"
	cj.Spec.TimeZone = ptr.To("Asia/Tokyo")
	cj.Spec.JobTemplate.Labels = map[string]string{"app": "x"}
	cj.Spec.JobTemplate.Annotations = map[string]string{"note": "y"}
	cj.Spec.JobTemplate.Spec.BackoffLimit = ptr.To[int32](2)
	scheduled := time.Date(2026, 3, 10, 12, 5, 0, 0, time.UTC)
	j, err := jobFromTemplate(cj, scheduled)
	if err != nil {
		t.Fatal(err)
	}
	if want := "hello-29552405"; j.Name != want || jobName(cj, scheduled) != want {
		t.Errorf("name %q, want %q", j.Name, want)
	}
	if got := j.Annotations[batchv1.CronJobScheduledTimestampAnnotation]; got != "2026-03-10T21:05:00+09:00" {
		t.Errorf("scheduled timestamp %q", got)
	}
	if j.Labels["app"] != "x" || j.Annotations["note"] != "y" || ptr.Deref(j.Spec.BackoffLimit, 0) != 2 {
		t.Errorf("job %+v does not follow the template", j)
	}
	if ref := metav1.GetControllerOf(j); ref == nil || ref.UID != "cj-uid" || ref.Kind != "CronJob" || ref.APIVersion != "batch/v1" {
		t.Errorf("controller reference %+v", ref)
	}
}

func TestSortByStartTime(t *testing.T) {
	job := func(name string, start *time.Time) *batchv1.Job {
		j := &batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: name}}
		if start != nil {
			j.Status.StartTime = ptr.To(metav1.NewTime(*start))
		}
		return j
	}
	jobs := []*batchv1.Job{job("d", nil), job("c", ptr.To(at("2m"))), job("b", ptr.To(at("1m"))), job("a", ptr.To(at("2m"))), job("e", nil)}
	sortByStartTime(jobs)
	var names []string
	for _, j := range jobs {
		names = append(names, j.Name)
	}
	if want := []string{"b", "a", "c", "d", "e"}; !slices.Equal(names, want) {
		t.Errorf("order %v, want %v", names, want)
	}
}
