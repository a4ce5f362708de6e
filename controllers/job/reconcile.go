package job

import (
	"context"
	"fmt"
	"slices"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// syncState is what one sync of a Job works out; the steps fill it in.
type syncState struct {
	job  *batchv1.Job
	key  string
	pods []*corev1.Pod
	// active pods: neither terminal nor being deleted.
	active             []*corev1.Pod
	succeeded, failed  int32
	ready, terminating int32
	// prevSucceeded are the indexes status.completedIndexes held; succeededIdx adds the ones
	// pods reached since.
	prevSucceeded, succeededIdx intervals
	// failedIdx is set only with backoffLimitPerIndex.
	failedIdx *intervals
	// delayed holds, per index, the failed pod kept (with its finalizer) until its replacement
	// exists, so the replacement inherits its failure count.
	delayed              map[int]*corev1.Pod
	backoff              backoffRecord
	expectedRmFinalizers sets.Set[types.UID]
	uncountedSucceeded   sets.Set[types.UID]
	uncountedFailed      sets.Set[types.UID]
	// finished is the condition the Job is heading for (FailureTarget, SuccessCriteriaMet,
	// then Failed or Complete), nil while it runs.
	finished *batchv1.JobCondition
	// requeue, when positive, is when to sync again.
	requeue time.Duration
}

func (s *syncState) requeueAfter(d time.Duration) {
	if d > 0 && (s.requeue == 0 || d < s.requeue) {
		s.requeue = d
	}
}

// Reconcile syncs one Job: counts its finished pods, decides whether it finished, creates or
// deletes pods and writes the status, as upstream's syncJob.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	key := req.String()
	job := &batchv1.Job{}
	if err := r.client.Get(ctx, req.NamespacedName, job); err != nil {
		if apierrors.IsNotFound(err) {
			r.forget(key)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("getting Job %s: %w", key, err)
	}
	logger := log.FromContext(ctx)
	if managedByOther(job) {
		logger.V(2).Info("Skip syncing the job as it is managed by an external controller", "controllerName", *job.Spec.ManagedBy)
		return ctrl.Result{}, nil
	}
	if IsFinished(job) {
		r.backoff.remove(key)
		r.finished.Delete(key)
		return ctrl.Result{}, nil
	}
	if uid, ok := r.finished.Load(key); ok && uid == job.UID {
		logger.V(2).Info("Skip syncing the job as it is marked finished but the cache has not seen it yet")
		return ctrl.Result{}, nil
	}
	if m := job.Spec.CompletionMode; m != nil && *m != batchv1.NonIndexedCompletion && *m != batchv1.IndexedCompletion {
		r.recorder.Event(job, corev1.EventTypeWarning, reasonUnknownMode, msgUnknownMode)
		return ctrl.Result{}, nil
	}
	if job.Status.UncountedTerminatedPods == nil {
		job.Status.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	// Expectations first: a pod that enters the cache after the listing defers the sync.
	satisfied := r.pods.Satisfied(key)
	pods, err := r.podsForJob(ctx, job)
	if err != nil {
		return ctrl.Result{}, err
	}
	s := r.newSyncState(key, job, pods)
	if err := r.sync(ctx, s, satisfied); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: s.requeue}, nil
}

func (r *Reconciler) newSyncState(key string, job *batchv1.Job, pods []*corev1.Pod) *syncState {
	s := &syncState{
		job:                  job,
		key:                  key,
		pods:                 pods,
		active:               filterPods(pods, isActive),
		terminating:          countPods(pods, isTerminating),
		expectedRmFinalizers: r.finalizers.get(key),
		uncountedSucceeded:   sets.New(job.Status.UncountedTerminatedPods.Succeeded...),
		uncountedFailed:      sets.New(job.Status.UncountedTerminatedPods.Failed...),
	}
	s.ready = countPods(s.active, isReady)
	newSucceeded := s.uncountedPods(s.uncountedSucceeded, func(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodSucceeded })
	newFailed := s.uncountedPods(s.uncountedFailed, func(p *corev1.Pod) bool { return isPodFailed(p, job) })
	counted := 0
	for _, p := range newFailed {
		if matchFailurePolicy(job.Spec.PodFailurePolicy, p).counts() {
			counted++
		}
	}
	s.succeeded = job.Status.Succeeded + int32(len(newSucceeded)) + int32(s.uncountedSucceeded.Len())
	s.failed = job.Status.Failed + int32(counted) + int32(s.uncountedFailed.Len())
	if job.Status.StartTime == nil && !isSuspended(job) {
		now := metav1.NewTime(r.clock.Now())
		job.Status.StartTime = &now
	}
	s.backoff = nextBackoffRecord(r.backoff.get(key), newSucceeded, newFailed)
	return s
}

// uncountedPods returns the pods still holding the finalizer, not yet in the given
// uncounted list (nor expected to lose the finalizer), with a valid index for Indexed Jobs,
// that keep says are finished.
func (s *syncState) uncountedPods(uncounted sets.Set[types.UID], keep func(*corev1.Pod) bool) []*corev1.Pod {
	var out []*corev1.Pod
	for _, p := range s.pods {
		if !hasTrackingFinalizer(p) || uncounted.Has(p.UID) || s.expectedRmFinalizers.Has(p.UID) {
			continue
		}
		if isIndexed(s.job) && validIndex(p, *s.job.Spec.Completions) == noIndex {
			continue
		}
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// sync decides the Job's fate in upstream's order: conditions already reached, failure
// (pod failure policy, backoff limit, deadline, failed indexes), success (success policy,
// completions); then it deletes or creates pods and writes the status.
func (r *Reconciler) sync(ctx context.Context, s *syncState, satisfied bool) error {
	job := s.job
	now := r.clock.Now()
	r.decideFailure(s, now)
	if isIndexed(job) {
		r.decideIndexes(ctx, s, now)
	}
	active := int32(len(s.active))
	suspendChanged := false
	var manageErr error
	if s.finished != nil {
		deletedReady, deleted, err := r.deleteActivePods(ctx, job, s.active)
		if deleted != active || !satisfied {
			// Pods may remain, or some may not be in the cache yet: not finished yet.
			s.finished = nil
		}
		active -= deleted
		s.terminating += deleted
		s.ready -= deletedReady
		manageErr = err
	} else {
		managed := false
		if satisfied && job.DeletionTimestamp == nil {
			active, manageErr = r.manageJob(ctx, s)
			managed = true
		}
		var complete bool
		if job.Spec.Completions == nil {
			complete = s.succeeded > 0 && active == 0
		} else {
			complete = s.succeeded >= *job.Spec.Completions && active == 0
		}
		switch {
		case complete:
			s.finished = newCondition(batchv1.JobSuccessCriteriaMet, corev1.ConditionTrue, batchv1.JobReasonCompletionsReached, msgCompletions, now)
		case managed:
			suspendChanged = r.updateSuspended(job, now)
		}
	}
	needsUpdate := suspendChanged || active != job.Status.Active || !ptr.Equal(&s.ready, job.Status.Ready) ||
		!ptr.Equal(&s.terminating, job.Status.Terminating)
	job.Status.Active = active
	job.Status.Ready = ptr.To(s.ready)
	job.Status.Terminating = ptr.To(s.terminating)
	if err := r.trackStatus(ctx, s, needsUpdate); err != nil {
		return fmt.Errorf("tracking status: %w", err)
	}
	return manageErr
}

// decideFailure keeps a SuccessCriteriaMet or FailureTarget condition already reached, else
// checks the pod failure policy, the backoff limit and the active deadline.
func (r *Reconciler) decideFailure(s *syncState, now time.Time) {
	job := s.job
	if c := conditionTrue(job.Status.Conditions, batchv1.JobSuccessCriteriaMet); c != nil {
		s.finished = c.DeepCopy()
		return
	}
	if c := conditionTrue(job.Status.Conditions, batchv1.JobFailureTarget); c != nil {
		s.finished = newCondition(batchv1.JobFailed, corev1.ConditionTrue, c.Reason, c.Message, now)
		return
	}
	if msg := failJobMessage(job, s.pods); msg != "" {
		s.finished = failureTarget(batchv1.JobReasonPodFailurePolicy, msg, now)
		return
	}
	switch {
	case s.failed > ptr.Deref(job.Spec.BackoffLimit, 6) || pastBackoffLimitOnFailure(job, s.pods):
		s.finished = failureTarget(batchv1.JobReasonBackoffLimitExceeded, msgBackoffLimit, now)
	case r.pastActiveDeadline(job):
		s.finished = failureTarget(batchv1.JobReasonDeadlineExceeded, msgDeadline, now)
	case job.Spec.ActiveDeadlineSeconds != nil && !isSuspended(job):
		s.requeueAfter(time.Duration(*job.Spec.ActiveDeadlineSeconds)*time.Second - r.clock.Since(job.Status.StartTime.Time))
	}
}

func failureTarget(reason, message string, now time.Time) *batchv1.JobCondition {
	return newCondition(batchv1.JobFailureTarget, corev1.ConditionTrue, reason, message, now)
}

// decideIndexes works out the succeeded (and, with backoffLimitPerIndex, failed) indexes of
// an Indexed Job, and whether they fail it or meet its success policy.
func (r *Reconciler) decideIndexes(ctx context.Context, s *syncState, now time.Time) {
	job := s.job
	completions := *job.Spec.Completions
	s.prevSucceeded, s.succeededIdx = succeededIndexes(job, s.pods)
	s.succeeded = int32(s.succeededIdx.total())
	if hasBackoffLimitPerIndex(job) {
		s.failedIdx = failedIndexes(ctx, job, s.pods)
		if s.finished == nil {
			failed := s.failedIdx.total()
			switch {
			case job.Spec.MaxFailedIndexes != nil && failed > int(*job.Spec.MaxFailedIndexes):
				s.finished = failureTarget(batchv1.JobReasonMaxFailedIndexesExceeded, msgMaxFailedIndex, now)
			case failed > 0 && failed+s.succeededIdx.total() >= int(completions):
				s.finished = failureTarget(batchv1.JobReasonFailedIndexes, msgFailedIndexes, now)
			}
		}
		s.delayed = podsWithDelayedDeletion(ctx, s)
	}
	if s.finished == nil {
		if msg, ok := matchSuccessPolicy(job.Spec.SuccessPolicy, completions, s.succeededIdx); ok {
			s.finished = newCondition(batchv1.JobSuccessCriteriaMet, corev1.ConditionTrue, batchv1.JobReasonSuccessPolicy, msg, now)
		}
	}
}

// updateSuspended sets the Suspended condition to follow spec.suspend; suspending clears
// startTime, resuming starts it again, so that activeDeadlineSeconds counts running time only.
func (r *Reconciler) updateSuspended(job *batchv1.Job, now time.Time) bool {
	var changed bool
	if isSuspended(job) {
		job.Status.Conditions, changed = setCondition(job.Status.Conditions, batchv1.JobSuspended, corev1.ConditionTrue, reasonSuspended, msgSuspended, now)
		if changed {
			r.recorder.Event(job, corev1.EventTypeNormal, eventSuspended, msgSuspended)
			job.Status.StartTime = nil
		}
		return changed
	}
	job.Status.Conditions, changed = setCondition(job.Status.Conditions, batchv1.JobSuspended, corev1.ConditionFalse, reasonResumed, msgResumed, now)
	if changed {
		r.recorder.Event(job, corev1.EventTypeNormal, eventResumed, msgResumed)
		job.Status.StartTime = ptr.To(metav1.NewTime(now))
	}
	return changed
}

// failJobMessage is the message of the first failed pod matching a FailJob rule.
func failJobMessage(job *batchv1.Job, pods []*corev1.Pod) string {
	if job.Spec.PodFailurePolicy == nil {
		return ""
	}
	for _, p := range pods {
		if isPodFailed(p, job) {
			if m := matchFailurePolicy(job.Spec.PodFailurePolicy, p); m.failJobMessage != "" {
				return m.failJobMessage
			}
		}
	}
	return ""
}

// pastBackoffLimitOnFailure: with restartPolicy OnFailure, the container restarts of running
// and pending pods reach backoffLimit.
func pastBackoffLimitOnFailure(job *batchv1.Job, pods []*corev1.Pod) bool {
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		return false
	}
	var restarts int32
	for _, p := range pods {
		if p.Status.Phase != corev1.PodRunning && p.Status.Phase != corev1.PodPending {
			continue
		}
		for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
			restarts += cs.RestartCount
		}
	}
	limit := ptr.Deref(job.Spec.BackoffLimit, 6)
	if limit == 0 {
		return restarts > 0
	}
	return restarts >= limit
}

func (r *Reconciler) pastActiveDeadline(job *batchv1.Job) bool {
	if job.Spec.ActiveDeadlineSeconds == nil || job.Status.StartTime == nil || isSuspended(job) {
		return false
	}
	return r.clock.Since(job.Status.StartTime.Time) >= time.Duration(*job.Spec.ActiveDeadlineSeconds)*time.Second
}
