package job_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/job"
)

func TestJobCompletes(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	j := createJob(t, c, newJob(ns, "pi", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](3), ptr.To[int32](2)
	}))

	pods := waitActivePods(t, c, ns, "pi", 2)
	for _, p := range pods {
		ref := metav1.GetControllerOf(&p)
		if ref == nil || ref.UID != j.UID || !ptr.Deref(ref.BlockOwnerDeletion, false) {
			t.Errorf("pod %s controller reference = %+v", p.Name, ref)
		}
		if !slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer) || !strings.HasPrefix(p.Name, "pi-") {
			t.Errorf("pod %s: finalizers %v", p.Name, p.Finalizers)
		}
		if p.Labels[batchv1.ControllerUidLabel] != string(j.UID) || p.Labels["job-name"] != "pi" {
			t.Errorf("pod %s labels %v", p.Name, p.Labels)
		}
	}
	controllertest.MarkPodRunning(t, c, &pods[0], "node-1", true)
	waitJob(t, c, ns, "pi", "to count a ready pod", func(j *batchv1.Job) bool {
		return j.Status.Active == 2 && ptr.Deref(j.Status.Ready, 0) == 1 && j.Status.StartTime != nil
	})
	waitEvent(t, c, ns, "pi", corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: pi-")

	finishPod(t, c, &pods[0], corev1.PodSucceeded, 0)
	finishPod(t, c, &pods[1], corev1.PodSucceeded, 0)
	last := waitActivePods(t, c, ns, "pi", 1)
	finishPod(t, c, &last[0], corev1.PodSucceeded, 0)

	done := waitJob(t, c, ns, "pi", "to complete", hasCondition(batchv1.JobComplete, corev1.ConditionTrue, batchv1.JobReasonCompletionsReached))
	if !hasCondition(batchv1.JobSuccessCriteriaMet, corev1.ConditionTrue, batchv1.JobReasonCompletionsReached)(done) {
		t.Errorf("conditions %+v: want SuccessCriteriaMet before Complete", done.Status.Conditions)
	}
	if done.Status.Succeeded != 3 || done.Status.Failed != 0 || done.Status.CompletionTime == nil {
		t.Errorf("status %+v: want 3 succeeded and a completion time", done.Status)
	}
	if c := condition(done, batchv1.JobComplete); c.Message != "Reached expected number of succeeded pods" {
		t.Errorf("Complete message %q", c.Message)
	}
	checkFinished(t, c, done)
	waitEvent(t, c, ns, "pi", corev1.EventTypeNormal, "Completed", "Job completed")
}

func TestJobBackoffLimitExceeded(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "flaky", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism, j.Spec.BackoffLimit = ptr.To[int32](2), ptr.To[int32](2), ptr.To[int32](1)
	}))
	pods := waitActivePods(t, c, ns, "flaky", 2)
	finishPod(t, c, &pods[0], corev1.PodFailed, 1)
	finishPod(t, c, &pods[1], corev1.PodFailed, 2)

	failed := waitJob(t, c, ns, "flaky", "to fail", hasCondition(batchv1.JobFailed, corev1.ConditionTrue, batchv1.JobReasonBackoffLimitExceeded))
	if !hasCondition(batchv1.JobFailureTarget, corev1.ConditionTrue, batchv1.JobReasonBackoffLimitExceeded)(failed) {
		t.Errorf("conditions %+v: want FailureTarget before Failed", failed.Status.Conditions)
	}
	if failed.Status.Failed != 2 || failed.Status.Succeeded != 0 || failed.Status.CompletionTime != nil {
		t.Errorf("status %+v: want 2 failed, no completion time", failed.Status)
	}
	checkFinished(t, c, failed)
	waitEvent(t, c, ns, "flaky", corev1.EventTypeWarning, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
}

func TestIndexedJob(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "idx", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](3), ptr.To[int32](3)
		j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
	}))
	pods := waitActivePods(t, c, ns, "idx", 3)
	byIndex := map[int]corev1.Pod{}
	for _, p := range pods {
		ix, err := strconv.Atoi(p.Annotations[batchv1.JobCompletionIndexAnnotation])
		if err != nil || p.Labels[batchv1.JobCompletionIndexAnnotation] != strconv.Itoa(ix) {
			t.Fatalf("pod %s: index annotation %q label %q", p.Name, p.Annotations[batchv1.JobCompletionIndexAnnotation], p.Labels[batchv1.JobCompletionIndexAnnotation])
		}
		byIndex[ix] = p
		if want := fmt.Sprintf("idx-%d", ix); p.Spec.Hostname != want || !strings.HasPrefix(p.Name, want+"-") {
			t.Errorf("pod %s: hostname %q, want %q (and name prefix %s-)", p.Name, p.Spec.Hostname, want, want)
		}
		env := p.Spec.Containers[0].Env
		if len(env) != 1 || env[0].Name != "JOB_COMPLETION_INDEX" || env[0].ValueFrom == nil ||
			env[0].ValueFrom.FieldRef.FieldPath != "metadata.labels['batch.kubernetes.io/job-completion-index']" {
			t.Errorf("pod %s env %+v", p.Name, env)
		}
	}
	if len(byIndex) != 3 {
		t.Fatalf("indexes %v, want 0, 1 and 2", byIndex)
	}
	p0, p2 := byIndex[0], byIndex[2]
	finishPod(t, c, &p0, corev1.PodSucceeded, 0)
	finishPod(t, c, &p2, corev1.PodSucceeded, 0)
	waitJob(t, c, ns, "idx", "to have completed indexes 0,2", func(j *batchv1.Job) bool {
		return j.Status.CompletedIndexes == "0,2" && j.Status.Succeeded == 2 && j.Status.Active == 1
	})
	p1 := byIndex[1]
	finishPod(t, c, &p1, corev1.PodSucceeded, 0)
	done := waitJob(t, c, ns, "idx", "to complete", hasCondition(batchv1.JobComplete, corev1.ConditionTrue, batchv1.JobReasonCompletionsReached))
	if done.Status.CompletedIndexes != "0-2" || done.Status.Succeeded != 3 {
		t.Errorf("completedIndexes %q succeeded %d, want 0-2 and 3", done.Status.CompletedIndexes, done.Status.Succeeded)
	}
	checkFinished(t, c, done)
}

func TestPodFailurePolicyFailJob(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "pfp", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](2), ptr.To[int32](2)
		j.Spec.PodFailurePolicy = &batchv1.PodFailurePolicy{Rules: []batchv1.PodFailurePolicyRule{{
			Action:      batchv1.PodFailurePolicyActionFailJob,
			OnExitCodes: &batchv1.PodFailurePolicyOnExitCodesRequirement{Operator: batchv1.PodFailurePolicyOnExitCodesOpIn, Values: []int32{42}},
		}}}
	}))
	pods := waitActivePods(t, c, ns, "pfp", 2)
	finishPod(t, c, &pods[0], corev1.PodFailed, 42)

	failed := waitJob(t, c, ns, "pfp", "to fail", hasCondition(batchv1.JobFailed, corev1.ConditionTrue, batchv1.JobReasonPodFailurePolicy))
	want := fmt.Sprintf("Container main for pod %s/%s failed with exit code 42 matching FailJob rule at index 0", ns, pods[0].Name)
	if c := condition(failed, batchv1.JobFailed); c.Message != want {
		t.Errorf("Failed message %q, want %q", c.Message, want)
	}
	if !hasCondition(batchv1.JobFailureTarget, corev1.ConditionTrue, batchv1.JobReasonPodFailurePolicy)(failed) {
		t.Errorf("conditions %+v: want FailureTarget", failed.Status.Conditions)
	}
	// The running pod was deleted, and counted as failed.
	if failed.Status.Failed != 2 {
		t.Errorf("failed = %d, want 2", failed.Status.Failed)
	}
	if _, err := c.CoreV1().Pods(ns).Get(context.Background(), pods[1].Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the other pod: got %v, want it deleted", err)
	}
	checkFinished(t, c, failed)
}

func TestActiveDeadline(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "slow", func(j *batchv1.Job) { j.Spec.ActiveDeadlineSeconds = ptr.To[int64](1) }))
	failed := waitJob(t, c, ns, "slow", "to pass its deadline", hasCondition(batchv1.JobFailed, corev1.ConditionTrue, batchv1.JobReasonDeadlineExceeded))
	if c := condition(failed, batchv1.JobFailed); c.Message != "Job was active longer than specified deadline" {
		t.Errorf("Failed message %q", c.Message)
	}
	checkFinished(t, c, failed)
	waitActivePods(t, c, ns, "slow", 0)
	waitEvent(t, c, ns, "slow", corev1.EventTypeWarning, "DeadlineExceeded", "Job was active longer than specified deadline")
}

func TestSuspendAndResume(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "sus", func(j *batchv1.Job) {
		j.Spec.Suspend = ptr.To(true)
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](4), ptr.To[int32](2)
	}))
	suspended := waitJob(t, c, ns, "sus", "to be suspended", hasCondition(batchv1.JobSuspended, corev1.ConditionTrue, "JobSuspended"))
	if suspended.Status.StartTime != nil || suspended.Status.Active != 0 {
		t.Errorf("suspended job status %+v: want no start time, nothing active", suspended.Status)
	}
	if pods, err := jobPods(context.Background(), c, ns, "sus"); err != nil || len(pods) != 0 {
		t.Errorf("suspended job has pods %v (%v)", pods, err)
	}

	setSuspend(t, c, ns, "sus", false)
	waitActivePods(t, c, ns, "sus", 2)
	resumed := waitJob(t, c, ns, "sus", "to be resumed", hasCondition(batchv1.JobSuspended, corev1.ConditionFalse, "JobResumed"))
	if resumed.Status.StartTime == nil {
		t.Error("resumed job has no start time")
	}
	waitEvent(t, c, ns, "sus", corev1.EventTypeNormal, "Resumed", "Job resumed")

	setSuspend(t, c, ns, "sus", true)
	poll(t, "the suspended job's pods to go", func(ctx context.Context) (bool, error) {
		pods, err := jobPods(ctx, c, ns, "sus")
		return len(pods) == 0, err
	})
	again := waitJob(t, c, ns, "sus", "to be suspended again", func(j *batchv1.Job) bool {
		return hasCondition(batchv1.JobSuspended, corev1.ConditionTrue, "JobSuspended")(j) && j.Status.Active == 0
	})
	if again.Status.Failed != 0 {
		t.Errorf("suspending counted %d failures", again.Status.Failed)
	}
	waitEvent(t, c, ns, "sus", corev1.EventTypeNormal, "Suspended", "Job suspended")

	// The deletions were all seen: resuming again starts pods at once.
	setSuspend(t, c, ns, "sus", false)
	waitActivePods(t, c, ns, "sus", 2)
}

func setSuspend(t *testing.T, c kubernetes.Interface, ns, name string, suspend bool) {
	t.Helper()
	patch := fmt.Sprintf(`{"spec":{"suspend":%t}}`, suspend)
	if _, err := c.BatchV1().Jobs(ns).Patch(context.Background(), name, types.MergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		t.Fatalf("setting suspend=%t: %v", suspend, err)
	}
}

// A deleted Job's pods must not keep the tracking finalizer for ever.
func TestDeletedJobReleasesPods(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "gone", nil))
	pods := waitActivePods(t, c, ns, "gone", 1)
	if !slices.Contains(pods[0].Finalizers, batchv1.JobTrackingFinalizer) {
		t.Fatalf("pod finalizers %v", pods[0].Finalizers)
	}
	if err := c.BatchV1().Jobs(ns).Delete(context.Background(), "gone", metav1.DeleteOptions{PropagationPolicy: ptr.To(metav1.DeletePropagationBackground)}); err != nil {
		t.Fatal(err)
	}
	poll(t, "the orphan pod to lose the tracking finalizer", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, pods[0].Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return !slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer), nil
	})
}

func TestBackoffLimitPerIndex(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "perindex", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](2), ptr.To[int32](2)
		j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		j.Spec.BackoffLimitPerIndex = ptr.To[int32](0)
	}))
	pods := waitActivePods(t, c, ns, "perindex", 2)
	byIndex := map[string]corev1.Pod{}
	for _, p := range pods {
		if p.Annotations[batchv1.JobIndexFailureCountAnnotation] != "0" {
			t.Errorf("pod %s annotations %v: want a failure count of 0", p.Name, p.Annotations)
		}
		byIndex[p.Annotations[batchv1.JobCompletionIndexAnnotation]] = p
	}
	p0, p1 := byIndex["0"], byIndex["1"]
	finishPod(t, c, &p1, corev1.PodFailed, 1)
	waitJob(t, c, ns, "perindex", "to fail index 1", func(j *batchv1.Job) bool {
		return ptr.Deref(j.Status.FailedIndexes, "") == "1" && j.Status.Failed == 1
	})
	// The failed index is not retried.
	waitActivePods(t, c, ns, "perindex", 1)
	finishPod(t, c, &p0, corev1.PodSucceeded, 0)
	failed := waitJob(t, c, ns, "perindex", "to fail", hasCondition(batchv1.JobFailed, corev1.ConditionTrue, batchv1.JobReasonFailedIndexes))
	if failed.Status.CompletedIndexes != "0" || ptr.Deref(failed.Status.FailedIndexes, "") != "1" {
		t.Errorf("completedIndexes %q failedIndexes %v", failed.Status.CompletedIndexes, failed.Status.FailedIndexes)
	}
	if c := condition(failed, batchv1.JobFailed); c.Message != "Job has failed indexes" {
		t.Errorf("Failed message %q", c.Message)
	}
	checkFinished(t, c, failed)
}

func TestSuccessPolicy(t *testing.T) {
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "leader", func(j *batchv1.Job) {
		j.Spec.Completions, j.Spec.Parallelism = ptr.To[int32](3), ptr.To[int32](3)
		j.Spec.CompletionMode = ptr.To(batchv1.IndexedCompletion)
		j.Spec.SuccessPolicy = &batchv1.SuccessPolicy{Rules: []batchv1.SuccessPolicyRule{{SucceededIndexes: ptr.To("0")}}}
	}))
	pods := waitActivePods(t, c, ns, "leader", 3)
	for _, p := range pods {
		if p.Annotations[batchv1.JobCompletionIndexAnnotation] == "0" {
			finishPod(t, c, &p, corev1.PodSucceeded, 0)
		}
	}
	done := waitJob(t, c, ns, "leader", "to complete", hasCondition(batchv1.JobComplete, corev1.ConditionTrue, batchv1.JobReasonSuccessPolicy))
	if sc := condition(done, batchv1.JobSuccessCriteriaMet); sc == nil || sc.Reason != batchv1.JobReasonSuccessPolicy || sc.Message != "Matched rules at index 0" {
		t.Errorf("SuccessCriteriaMet condition %+v", sc)
	}
	// The other indexes were stopped, not counted as successes.
	if done.Status.CompletedIndexes != "0" || done.Status.Succeeded != 1 {
		t.Errorf("completedIndexes %q succeeded %d", done.Status.CompletedIndexes, done.Status.Succeeded)
	}
	checkFinished(t, c, done)
	waitActivePods(t, c, ns, "leader", 0)
}

// Failed pods are replaced after the back-off until backoffLimit is passed.
func TestFailedPodsAreReplaced(t *testing.T) {
	t.Cleanup(job.SetPodFailureBackoff(200 * time.Millisecond))
	c, ns := srv.Client(t), srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, job.Setup)
	createJob(t, c, newJob(ns, "retry", func(j *batchv1.Job) { j.Spec.BackoffLimit = ptr.To[int32](2) }))
	seen := map[string]bool{}
	for attempt := 1; attempt <= 3; attempt++ {
		pods := waitActivePods(t, c, ns, "retry", 1)
		if seen[pods[0].Name] {
			t.Fatalf("attempt %d runs pod %s again", attempt, pods[0].Name)
		}
		seen[pods[0].Name] = true
		finishPod(t, c, &pods[0], corev1.PodFailed, 1)
		if attempt < 3 {
			waitJob(t, c, ns, "retry", fmt.Sprintf("to count %d failures", attempt), func(j *batchv1.Job) bool { return j.Status.Failed == int32(attempt) })
		}
	}
	failed := waitJob(t, c, ns, "retry", "to fail", hasCondition(batchv1.JobFailed, corev1.ConditionTrue, batchv1.JobReasonBackoffLimitExceeded))
	if failed.Status.Failed != 3 {
		t.Errorf("failed = %d, want 3", failed.Status.Failed)
	}
	checkFinished(t, c, failed)
}
