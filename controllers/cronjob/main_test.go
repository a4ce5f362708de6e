package cronjob_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/cronjob"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

var srv *framework.Server

func TestMain(m *testing.M) {
	var err error
	srv, err = framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the apiserver:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

// start runs the controller on a fake clock set to now, so a test moves the schedule along
// without waiting for real minutes.
func start(t *testing.T) *clocktesting.FakeClock {
	fake := clocktesting.NewFakeClock(time.Now())
	cfg := config.Defaults()
	cfg.Clock = fake
	controllertest.StartManager(t, srv.ClientConfig, &cfg, cronjob.Setup)
	return fake
}

func newCronJob(ns, name string, mutate func(*batchv1.CronJob)) *batchv1.CronJob {
	cj := &batchv1.CronJob{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.CronJobSpec{
			Schedule: "* * * * *",
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": name}},
				Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers:    []corev1.Container{{Name: "main", Image: "busybox"}},
				}}},
			},
		},
	}
	if mutate != nil {
		mutate(cj)
	}
	return cj
}

// create makes the CronJob and returns it with the first minute it is due at.
func create(t *testing.T, c kubernetes.Interface, cj *batchv1.CronJob) (*batchv1.CronJob, time.Time) {
	t.Helper()
	created, err := c.BatchV1().CronJobs(cj.Namespace).Create(context.Background(), cj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating cronjob: %v", err)
	}
	return created, created.CreationTimestamp.Truncate(time.Minute).Add(time.Minute)
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func jobName(cj *batchv1.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}

// listJobs returns the names of the CronJob's Jobs (by the app label newCronJob gives
// them), sorted.
func listJobs(ctx context.Context, c kubernetes.Interface, ns, cronJob string) ([]string, error) {
	list, err := c.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + cronJob})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, j := range list.Items {
		names = append(names, j.Name)
	}
	slices.Sort(names)
	return names, nil
}

// waitJobs waits until the CronJob has exactly the named Jobs.
func waitJobs(t *testing.T, c kubernetes.Interface, ns, cronJob string, want ...string) {
	t.Helper()
	slices.Sort(want)
	var got []string
	poll(t, fmt.Sprintf("jobs %v", want), func(ctx context.Context) (bool, error) {
		var err error
		got, err = listJobs(ctx, c, ns, cronJob)
		return slices.Equal(got, want), err
	})
}

func waitCronJob(t *testing.T, c kubernetes.Interface, ns, name, what string, cond func(*batchv1.CronJob) bool) *batchv1.CronJob {
	t.Helper()
	var cj *batchv1.CronJob
	poll(t, "cronjob "+what, func(ctx context.Context) (bool, error) {
		var err error
		cj, err = c.BatchV1().CronJobs(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && cond(cj), err
	})
	return cj
}

func activeNames(cj *batchv1.CronJob) []string {
	var names []string
	for _, ref := range cj.Status.Active {
		names = append(names, ref.Name)
	}
	slices.Sort(names)
	return names
}

// waitEvent waits for an event on the CronJob with the reason and a message starting with
// prefix.
func waitEvent(t *testing.T, c kubernetes.Interface, ns, object, eventType, reason, prefix string) {
	t.Helper()
	poll(t, fmt.Sprintf("event %s %q", reason, prefix), func(ctx context.Context) (bool, error) {
		events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Name == object && e.Type == eventType && e.Reason == reason && strings.HasPrefix(e.Message, prefix) {
				return true, nil
			}
		}
		return false, nil
	})
}

// finishJob writes the status the job controller would write for a Job that started at
// start and then completed or failed.
func finishJob(t *testing.T, c kubernetes.Interface, ns, name string, start time.Time, complete bool) {
	t.Helper()
	poll(t, "job "+name+" to finish", func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		started, done := metav1.NewTime(start), metav1.NewTime(start.Add(10*time.Second))
		cond := func(t batchv1.JobConditionType, reason string) batchv1.JobCondition {
			return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, LastTransitionTime: done, LastProbeTime: done}
		}
		j.Status.StartTime = &started
		if complete {
			j.Status.Succeeded = 1
			j.Status.CompletionTime = &done
			j.Status.Conditions = []batchv1.JobCondition{cond(batchv1.JobSuccessCriteriaMet, batchv1.JobReasonCompletionsReached), cond(batchv1.JobComplete, batchv1.JobReasonCompletionsReached)}
		} else {
			j.Status.Failed = 1
			j.Status.Conditions = []batchv1.JobCondition{cond(batchv1.JobFailureTarget, batchv1.JobReasonBackoffLimitExceeded), cond(batchv1.JobFailed, batchv1.JobReasonBackoffLimitExceeded)}
		}
		_, err = c.BatchV1().Jobs(ns).UpdateStatus(ctx, j, metav1.UpdateOptions{})
		return err == nil, nil // a conflict: read again
	})
}
