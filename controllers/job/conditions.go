package job

import (
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Condition reasons and messages, as upstream's.
const (
	msgBackoffLimit    = "Job has reached the specified backoff limit"
	msgDeadline        = "Job was active longer than specified deadline"
	msgMaxFailedIndex  = "Job has exceeded the specified maximal number of failed indexes"
	msgFailedIndexes   = "Job has failed indexes"
	msgCompletions     = "Reached expected number of succeeded pods"
	reasonSuspended    = "JobSuspended"
	reasonResumed      = "JobResumed"
	msgSuspended       = "Job suspended"
	msgResumed         = "Job resumed"
	reasonUnknownMode  = "UnknownCompletionMode"
	msgUnknownMode     = "Skipped Job sync because completion mode is unknown"
	reasonTooManyPods  = "TooManySucceededPods"
	msgTooManyPods     = "Too many succeeded pods running after completion count reached"
	eventJobCompleted  = "Completed"
	msgJobCompleted    = "Job completed"
	eventSuspended     = "Suspended"
	eventResumed       = "Resumed"
	reasonFailedCreate = "FailedCreate"
	reasonCreated      = "SuccessfulCreate"
	reasonFailedDelete = "FailedDelete"
	reasonDeleted      = "SuccessfulDelete"
)

func newCondition(t batchv1.JobConditionType, status corev1.ConditionStatus, reason, message string, now time.Time) *batchv1.JobCondition {
	return &batchv1.JobCondition{
		Type:               t,
		Status:             status,
		LastProbeTime:      metav1.NewTime(now),
		LastTransitionTime: metav1.NewTime(now),
		Reason:             reason,
		Message:            message,
	}
}

func findCondition(list []batchv1.JobCondition, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i := range list {
		if list[i].Type == t {
			return &list[i]
		}
	}
	return nil
}

func conditionTrue(list []batchv1.JobCondition, t batchv1.JobConditionType) *batchv1.JobCondition {
	if c := findCondition(list, t); c != nil && c.Status == corev1.ConditionTrue {
		return c
	}
	return nil
}

// setCondition sets the condition of type t, appending it unless it would be appended False;
// it reports whether the list changed.
func setCondition(list []batchv1.JobCondition, t batchv1.JobConditionType, status corev1.ConditionStatus, reason, message string, now time.Time) ([]batchv1.JobCondition, bool) {
	if c := findCondition(list, t); c != nil {
		if c.Status == status && c.Reason == reason && c.Message == message {
			return list, false
		}
		*c = *newCondition(t, status, reason, message, now)
		return list, true
	}
	if status == corev1.ConditionFalse {
		return list, false
	}
	return append(list, *newCondition(t, status, reason, message, now)), true
}

// FinishedCondition returns the Complete or Failed condition that is True, if any.
func FinishedCondition(job *batchv1.Job) *batchv1.JobCondition {
	for i, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return &job.Status.Conditions[i]
		}
	}
	return nil
}

// IsFinished reports whether the Job has a Complete or Failed condition that is True.
func IsFinished(job *batchv1.Job) bool { return FinishedCondition(job) != nil }

func isSuspended(job *batchv1.Job) bool { return ptr.Deref(job.Spec.Suspend, false) }

func isIndexed(job *batchv1.Job) bool {
	return ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion
}

func hasBackoffLimitPerIndex(job *batchv1.Job) bool { return job.Spec.BackoffLimitPerIndex != nil }

// managedByOther: spec.managedBy names a controller other than this one.
func managedByOther(job *batchv1.Job) bool {
	return job.Spec.ManagedBy != nil && *job.Spec.ManagedBy != batchv1.JobControllerName
}
