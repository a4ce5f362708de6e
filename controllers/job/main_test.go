package job_test

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
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
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

// newJob is a Job running one container "main" that is never restarted.
func newJob(ns, name string, mutate func(*batchv1.Job)) *batchv1.Job {
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: batchv1.JobSpec{
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				RestartPolicy: corev1.RestartPolicyNever,
				Containers:    []corev1.Container{{Name: "main", Image: "busybox"}},
			}},
		},
	}
	if mutate != nil {
		mutate(j)
	}
	return j
}

func createJob(t *testing.T, c kubernetes.Interface, j *batchv1.Job) *batchv1.Job {
	t.Helper()
	created, err := c.BatchV1().Jobs(j.Namespace).Create(context.Background(), j, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating job: %v", err)
	}
	return created
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// jobPods lists the pods of the Job named name, sorted by name.
func jobPods(ctx context.Context, c kubernetes.Interface, ns, name string) ([]corev1.Pod, error) {
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: batchv1.JobNameLabel + "=" + name})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list.Items, func(a, b corev1.Pod) int { return strings.Compare(a.Name, b.Name) })
	return list.Items, nil
}

// waitActivePods waits until the Job has exactly n pods that are neither finished nor being
// deleted, and returns them.
func waitActivePods(t *testing.T, c kubernetes.Interface, ns, name string, n int) []corev1.Pod {
	t.Helper()
	var active []corev1.Pod
	poll(t, fmt.Sprintf("%d active pods of %s", n, name), func(ctx context.Context) (bool, error) {
		pods, err := jobPods(ctx, c, ns, name)
		if err != nil {
			return false, err
		}
		active = active[:0]
		for _, p := range pods {
			if p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
				active = append(active, p)
			}
		}
		return len(active) == n, nil
	})
	return active
}

// finishPod reports the pod finished as a kubelet would: the phase, and container "main"
// terminated with the exit code.
func finishPod(t *testing.T, c kubernetes.Interface, pod *corev1.Pod, phase corev1.PodPhase, exitCode int32) {
	t.Helper()
	poll(t, "pod "+pod.Name+" to be "+string(phase), func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		now := metav1.Now()
		p.Status.Phase = phase
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now}}
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name:  "main",
			Image: "busybox",
			State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: exitCode, StartedAt: now, FinishedAt: now}},
		}}
		_, err = c.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err == nil, nil // a conflict: read again
	})
}

// waitJob waits until the Job satisfies cond and returns it.
func waitJob(t *testing.T, c kubernetes.Interface, ns, name, what string, cond func(*batchv1.Job) bool) *batchv1.Job {
	t.Helper()
	var job *batchv1.Job
	poll(t, "job "+name+" "+what, func(ctx context.Context) (bool, error) {
		var err error
		job, err = c.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return cond(job), nil
	})
	return job
}

func condition(job *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range job.Status.Conditions {
		if job.Status.Conditions[i].Type == t {
			return &job.Status.Conditions[i]
		}
	}
	return nil
}

func hasCondition(t batchv1.JobConditionType, status corev1.ConditionStatus, reason string) func(*batchv1.Job) bool {
	return func(job *batchv1.Job) bool {
		c := condition(job, t)
		return c != nil && c.Status == status && c.Reason == reason
	}
}

// waitEvent waits for an event about the object with the reason and a message starting with
// prefix.
func waitEvent(t *testing.T, c kubernetes.Interface, ns, object, eventType, reason, prefix string) {
	t.Helper()
	poll(t, fmt.Sprintf("event %s %q on %s", reason, prefix, object), func(ctx context.Context) (bool, error) {
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

// checkFinished checks what every finished Job shows: no active, ready or terminating pods,
// nothing uncounted, and no pod still holding the tracking finalizer.
func checkFinished(t *testing.T, c kubernetes.Interface, job *batchv1.Job) {
	t.Helper()
	s := job.Status
	if s.Active != 0 || ptr.Deref(s.Ready, -1) != 0 || ptr.Deref(s.Terminating, -1) != 0 || s.StartTime == nil {
		t.Errorf("finished job status: active %d ready %v terminating %v startTime %v", s.Active, s.Ready, s.Terminating, s.StartTime)
	}
	if u := s.UncountedTerminatedPods; u != nil && len(u.Succeeded)+len(u.Failed) > 0 {
		t.Errorf("uncountedTerminatedPods = %+v, want empty", u)
	}
	poll(t, "no pod of "+job.Name+" to hold the tracking finalizer", func(ctx context.Context) (bool, error) {
		pods, err := jobPods(ctx, c, job.Namespace, job.Name)
		if err != nil {
			return false, err
		}
		for _, p := range pods {
			if slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer) {
				return false, nil
			}
		}
		return true, nil
	})
}
