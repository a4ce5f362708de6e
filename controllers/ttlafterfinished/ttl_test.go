package ttlafterfinished_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/ttlafterfinished"
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

// finishedJob creates a Job and writes the status of one that completed at finishedAt (the
// job controller does not run here).
func finishedJob(t *testing.T, c kubernetes.Interface, ns, name string, ttl *int32, finishedAt time.Time) {
	t.Helper()
	ctx := context.Background()
	j, err := c.BatchV1().Jobs(ns).Create(ctx, &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.JobSpec{
			TTLSecondsAfterFinished: ttl,
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "main", Image: "busybox"}},
			}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	done := metav1.NewTime(finishedAt)
	cond := func(t batchv1.JobConditionType) batchv1.JobCondition {
		return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: batchv1.JobReasonCompletionsReached, LastTransitionTime: done, LastProbeTime: done}
	}
	j.Status = batchv1.JobStatus{
		StartTime: &done, CompletionTime: &done, Succeeded: 1,
		Conditions: []batchv1.JobCondition{cond(batchv1.JobSuccessCriteriaMet), cond(batchv1.JobComplete)},
	}
	if _, err := c.BatchV1().Jobs(ns).UpdateStatus(ctx, j, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// waitDeleted waits until the Job is gone or marked for deletion in the foreground (no
// garbage collector runs here to finish that), and says which.
func waitDeleted(t *testing.T, c kubernetes.Interface, ns, name string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		j, err := c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil || j.DeletionTimestamp == nil {
			return false, err
		}
		if !slices.Contains(j.Finalizers, metav1.FinalizerDeleteDependents) {
			return false, fmt.Errorf("job %s deleted without foreground propagation: finalizers %v", name, j.Finalizers)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting for job %s to be deleted: %v", name, err)
	}
}

func notDeleted(t *testing.T, c kubernetes.Interface, ns, name string) {
	t.Helper()
	j, err := c.BatchV1().Jobs(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil || j.DeletionTimestamp != nil {
		t.Errorf("job %s: %v, deletionTimestamp %v; want it kept", name, err, j.GetDeletionTimestamp())
	}
}

func TestDeletesFinishedJobsAfterTTL(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	now := time.Now()
	fake := clocktesting.NewFakeClock(now)
	cfg := config.Defaults()
	cfg.Clock = fake
	controllertest.StartManager(t, srv.ClientConfig, &cfg, ttlafterfinished.Setup)

	finishedJob(t, c, ns, "later", ptr.To[int32](30), now)
	finishedJob(t, c, ns, "keep", nil, now.Add(-time.Hour))
	finishedJob(t, c, ns, "now", ptr.To[int32](0), now)
	// A Job that has not finished stays whatever its TTL.
	if _, err := c.BatchV1().Jobs(ns).Create(context.Background(), &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "running"},
		Spec: batchv1.JobSpec{TTLSecondsAfterFinished: ptr.To[int32](0), Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever, Containers: []corev1.Container{{Name: "main", Image: "busybox"}},
		}}},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	waitDeleted(t, c, ns, "now")
	notDeleted(t, c, ns, "later")

	// 31 seconds on, the 30s TTL has run out.
	fake.SetTime(now.Add(31 * time.Second))
	waitDeleted(t, c, ns, "later")
	notDeleted(t, c, ns, "keep")
	notDeleted(t, c, ns, "running")
}
