package cronjob_test

import (
	"context"
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestCronJobCreatesJobs(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	cj, t1 := create(t, c, newCronJob(ns, "hello", nil))

	clock.SetTime(t1.Add(time.Second))
	name := jobName(cj, t1)
	waitJobs(t, c, ns, "hello", name)
	j, err := c.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := j.Annotations[batchv1.CronJobScheduledTimestampAnnotation], t1.UTC().Format(time.RFC3339); got != want {
		t.Errorf("scheduled timestamp %q, want %q", got, want)
	}
	if ref := metav1.GetControllerOf(j); ref == nil || ref.UID != cj.UID || ref.Kind != "CronJob" {
		t.Errorf("controller reference %+v", ref)
	}
	if j.Labels["app"] != "hello" {
		t.Errorf("job labels %v", j.Labels)
	}
	got := waitCronJob(t, c, ns, "hello", "to list the job as active", func(cj *batchv1.CronJob) bool {
		return slices.Equal(activeNames(cj), []string{name})
	})
	if got.Status.LastScheduleTime == nil || !got.Status.LastScheduleTime.Equal(&metav1.Time{Time: t1}) {
		t.Errorf("lastScheduleTime %v, want %v", got.Status.LastScheduleTime, t1)
	}
	waitEvent(t, c, ns, "hello", corev1.EventTypeNormal, "SuccessfulCreate", "Created job "+name)

	finishJob(t, c, ns, name, t1, true)
	done := waitCronJob(t, c, ns, "hello", "to see the job complete", func(cj *batchv1.CronJob) bool {
		return len(cj.Status.Active) == 0 && cj.Status.LastSuccessfulTime != nil
	})
	if want := t1.Add(10 * time.Second); !done.Status.LastSuccessfulTime.Equal(&metav1.Time{Time: want}) {
		t.Errorf("lastSuccessfulTime %v, want %v", done.Status.LastSuccessfulTime, want)
	}
	waitEvent(t, c, ns, "hello", corev1.EventTypeNormal, "SawCompletedJob", "Saw completed job: "+name+", condition: Complete")

	// The next minute brings the next Job.
	clock.SetTime(t1.Add(time.Minute + time.Second))
	waitJobs(t, c, ns, "hello", name, jobName(cj, t1.Add(time.Minute)))
}

func TestCronJobForbidConcurrent(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	cj, t1 := create(t, c, newCronJob(ns, "forbid", func(cj *batchv1.CronJob) {
		cj.Spec.ConcurrencyPolicy = batchv1.ForbidConcurrent
	}))
	clock.SetTime(t1.Add(time.Second))
	first := jobName(cj, t1)
	waitJobs(t, c, ns, "forbid", first)
	waitCronJob(t, c, ns, "forbid", "to list the job as active", func(cj *batchv1.CronJob) bool { return len(cj.Status.Active) == 1 })

	clock.SetTime(t1.Add(time.Minute + time.Second))
	waitEvent(t, c, ns, "forbid", corev1.EventTypeNormal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
	if names, err := listJobs(context.Background(), c, ns, "forbid"); err != nil || !slices.Equal(names, []string{first}) {
		t.Fatalf("jobs %v (%v), want only %s while it runs", names, err, first)
	}

	// Once it finished, the start time it held back runs (late, as upstream: there is no
	// startingDeadlineSeconds).
	finishJob(t, c, ns, first, t1, true)
	second := jobName(cj, t1.Add(time.Minute))
	waitJobs(t, c, ns, "forbid", first, second)
	waitCronJob(t, c, ns, "forbid", "to list the late job as active", func(cj *batchv1.CronJob) bool {
		return slices.Equal(activeNames(cj), []string{second})
	})
}

func TestCronJobReplaceConcurrent(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	cj, t1 := create(t, c, newCronJob(ns, "replace", func(cj *batchv1.CronJob) {
		cj.Spec.ConcurrencyPolicy = batchv1.ReplaceConcurrent
	}))
	clock.SetTime(t1.Add(time.Second))
	first := jobName(cj, t1)
	waitJobs(t, c, ns, "replace", first)
	waitCronJob(t, c, ns, "replace", "to list the job as active", func(cj *batchv1.CronJob) bool { return len(cj.Status.Active) == 1 })

	clock.SetTime(t1.Add(time.Minute + time.Second))
	second := jobName(cj, t1.Add(time.Minute))
	waitJobs(t, c, ns, "replace", second)
	waitEvent(t, c, ns, "replace", corev1.EventTypeNormal, "SuccessfulDelete", "Deleted job "+first)
	waitCronJob(t, c, ns, "replace", "to list only the new job", func(cj *batchv1.CronJob) bool {
		return slices.Equal(activeNames(cj), []string{second})
	})
}

func TestCronJobHistoryLimits(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	cj, t1 := create(t, c, newCronJob(ns, "hist", func(cj *batchv1.CronJob) {
		cj.Spec.SuccessfulJobsHistoryLimit = ptr.To[int32](1)
		cj.Spec.FailedJobsHistoryLimit = ptr.To[int32](0)
	}))
	minute := func(i int) time.Time { return t1.Add(time.Duration(i) * time.Minute) }

	clock.SetTime(minute(0).Add(time.Second))
	a := jobName(cj, minute(0))
	waitJobs(t, c, ns, "hist", a)
	finishJob(t, c, ns, a, minute(0), true)
	waitCronJob(t, c, ns, "hist", "to see the first job complete", func(cj *batchv1.CronJob) bool { return cj.Status.LastSuccessfulTime != nil })

	clock.SetTime(minute(1).Add(time.Second))
	b := jobName(cj, minute(1))
	waitJobs(t, c, ns, "hist", a, b)
	finishJob(t, c, ns, b, minute(1), true)
	// Only the newest successful Job stays.
	waitJobs(t, c, ns, "hist", b)
	waitEvent(t, c, ns, "hist", corev1.EventTypeNormal, "SuccessfulDelete", "Deleted job "+a)

	clock.SetTime(minute(2).Add(time.Second))
	failed := jobName(cj, minute(2))
	waitJobs(t, c, ns, "hist", b, failed)
	finishJob(t, c, ns, failed, minute(2), false)
	// No failed Job is kept.
	waitJobs(t, c, ns, "hist", b)
}

// A start time older than startingDeadlineSeconds is not started (upstream does not even
// see it: it looks for start times from now-startingDeadlineSeconds on).
func TestCronJobStartingDeadline(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	cj, t1 := create(t, c, newCronJob(ns, "late", func(cj *batchv1.CronJob) {
		cj.Spec.StartingDeadlineSeconds = ptr.To[int64](10)
	}))
	create(t, c, newCronJob(ns, "witness", func(cj *batchv1.CronJob) { cj.Spec.Schedule = "@every 10s" }))
	// The controller first looks 30s after the start time: too late to start it.
	clock.SetTime(t1.Add(30 * time.Second))
	waitCronJob(t, c, ns, "witness", "to start a job", func(cj *batchv1.CronJob) bool { return cj.Status.LastScheduleTime != nil })
	if names, err := listJobs(context.Background(), c, ns, "late"); err != nil || len(names) != 0 {
		t.Fatalf("jobs %v (%v), want none", names, err)
	}
	// The next start time, in time, runs.
	clock.SetTime(t1.Add(time.Minute + time.Second))
	waitJobs(t, c, ns, "late", jobName(cj, t1.Add(time.Minute)))
}

func TestCronJobSuspended(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	clock := start(t)
	_, t1 := create(t, c, newCronJob(ns, "paused", func(cj *batchv1.CronJob) { cj.Spec.Suspend = ptr.To(true) }))
	create(t, c, newCronJob(ns, "witness", func(cj *batchv1.CronJob) { cj.Spec.Schedule = "@every 10s" }))
	clock.SetTime(t1.Add(time.Minute + time.Second))
	waitCronJob(t, c, ns, "witness", "to start a job", func(cj *batchv1.CronJob) bool { return cj.Status.LastScheduleTime != nil })
	if got, err := c.BatchV1().CronJobs(ns).Get(context.Background(), "paused", metav1.GetOptions{}); err != nil || got.Status.LastScheduleTime != nil {
		t.Fatalf("suspended cronjob status %+v (%v)", got.Status, err)
	}
	if names, err := listJobs(context.Background(), c, ns, "paused"); err != nil || len(names) != 0 {
		t.Fatalf("the suspended cronjob started jobs %v (%v)", names, err)
	}
}
