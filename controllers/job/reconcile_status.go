package job

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// maxUncountedPods bounds status.uncountedTerminatedPods (about 20 KB) and the finalizer
// removals of one sync, as upstream's.
const maxUncountedPods = 500

// trackStatus counts finished pods without losing any, as upstream does with the tracking
// finalizer: it first records their UIDs in status.uncountedTerminatedPods, then removes
// their finalizers, then moves them into the succeeded and failed counters. Once nothing is
// left uncounted or terminating it turns FailureTarget into Failed and SuccessCriteriaMet into
// Complete.
func (r *Reconciler) trackStatus(ctx context.Context, s *syncState, needsFlush bool) error {
	job := s.job
	indexed := isIndexed(job)
	if indexed {
		slices.SortStableFunc(s.pods, func(a, b *corev1.Pod) int { return completionIndex(a) - completionIndex(b) })
	}
	withFinalizer := sets.New[types.UID]()
	for _, p := range s.pods {
		if hasTrackingFinalizer(p) && !s.expectedRmFinalizers.Has(p.UID) {
			withFinalizer.Insert(p.UID)
		}
	}
	if countUncounted(&job.Status, withFinalizer) {
		needsFlush = true
	}
	uncounted := job.Status.UncountedTerminatedPods
	var toRemove []*corev1.Pod
	var newSucceededIdx []int
	reachedMax := false
	for _, p := range s.pods {
		if !hasTrackingFinalizer(p) || s.expectedRmFinalizers.Has(p.UID) {
			continue
		}
		failed := isPodFailed(p, job)
		if !s.canRemoveFinalizer(ctx, p, failed) {
			continue
		}
		toRemove = append(toRemove, p)
		switch {
		case p.Status.Phase == corev1.PodSucceeded && !s.uncountedFailed.Has(p.UID):
			if indexed {
				if ix := validIndex(p, *job.Spec.Completions); ix != noIndex && !s.prevSucceeded.has(ix) {
					newSucceededIdx = append(newSucceededIdx, ix)
					needsFlush = true
				}
			} else if !s.uncountedSucceeded.Has(p.UID) {
				uncounted.Succeeded = append(uncounted.Succeeded, p.UID)
				needsFlush = true
			}
		case failed || (s.finished != nil && s.finished.Type != batchv1.JobSuccessCriteriaMet):
			// A Job that fails counts every unfinished pod as failed.
			if s.uncountedFailed.Has(p.UID) || (indexed && validIndex(p, *job.Spec.Completions) == noIndex) {
				break
			}
			if matchFailurePolicy(job.Spec.PodFailurePolicy, p).counts() {
				uncounted.Failed = append(uncounted.Failed, p.UID)
				needsFlush = true
			}
		}
		if len(newSucceededIdx)+len(uncounted.Succeeded)+len(uncounted.Failed) >= maxUncountedPods {
			// Enough for one sync; status and pod updates bring the Job back for the rest.
			reachedMax = true
			break
		}
	}
	if indexed {
		s.succeededIdx = s.succeededIdx.withIndexes(newSucceededIdx)
		if completed := s.succeededIdx.String(); completed != job.Status.CompletedIndexes {
			job.Status.CompletedIndexes = completed
			needsFlush = true
		}
		job.Status.Succeeded = int32(s.succeededIdx.total())
		var failedIdx *string
		if s.failedIdx != nil {
			failedIdx = ptr.To(s.failedIdx.String())
		}
		if !ptr.Equal(job.Status.FailedIndexes, failedIdx) {
			job.Status.FailedIndexes = failedIdx
			needsFlush = true
		}
	}
	now := r.clock.Now()
	if s.finished != nil && s.finished.Type == batchv1.JobFailureTarget {
		// Written before the finalizers go; Failed follows once every pod is counted.
		job.Status.Conditions = append(job.Status.Conditions, *s.finished)
		needsFlush = true
		s.finished = newCondition(batchv1.JobFailed, corev1.ConditionTrue, s.finished.Reason, s.finished.Message, now)
	}
	if c := s.finished; c != nil && c.Type == batchv1.JobSuccessCriteriaMet && c.Status == corev1.ConditionTrue {
		if conditionTrue(job.Status.Conditions, batchv1.JobSuccessCriteriaMet) == nil {
			job.Status.Conditions = append(job.Status.Conditions, *c)
			needsFlush = true
		}
		s.finished = newCondition(batchv1.JobComplete, corev1.ConditionTrue, c.Reason, c.Message, now)
	}
	needsFlush, err := r.flushAndRemoveFinalizers(ctx, s, toRemove, withFinalizer, needsFlush)
	if err != nil {
		return err
	}
	finished := !reachedMax && r.enactFinished(ctx, s)
	if !needsFlush && !finished {
		return nil
	}
	if err := r.updateStatus(ctx, job); err != nil {
		return fmt.Errorf("removing uncounted pods from status: %w", err)
	}
	if finished {
		r.recordFinished(job, s.finished)
		r.finished.Store(s.key, job.UID)
	}
	return nil
}

// canRemoveFinalizer: the Job is being deleted or finishing, the pod succeeded, or it failed
// and is not the pod kept until its index's replacement exists.
func (s *syncState) canRemoveFinalizer(ctx context.Context, p *corev1.Pod, failed bool) bool {
	if s.job.DeletionTimestamp != nil || s.finished != nil || p.Status.Phase == corev1.PodSucceeded {
		return true
	}
	if !failed {
		return false
	}
	if hasBackoffLimitPerIndex(s.job) {
		if d, ok := s.delayed[completionIndex(p)]; ok && d.UID == p.UID {
			log.FromContext(ctx).V(3).Info("Delaying pod finalizer removal to await for pod recreation within the index", "pod", p.Name)
			return false
		}
	}
	return true
}

// flushAndRemoveFinalizers writes the status holding the new uncounted UIDs (and interim
// conditions), removes the finalizers, then moves the pods that lost theirs into the counters.
// It returns whether the status still needs writing.
func (r *Reconciler) flushAndRemoveFinalizers(ctx context.Context, s *syncState, toRemove []*corev1.Pod, withFinalizer sets.Set[types.UID], needsFlush bool) (bool, error) {
	if needsFlush {
		if err := r.updateStatus(ctx, s.job); err != nil {
			return needsFlush, fmt.Errorf("adding uncounted pods to status: %w", err)
		}
		r.backoff.set(s.key, s.backoff)
		needsFlush = false
	}
	var rmErr error
	if len(toRemove) > 0 {
		var removed []bool
		removed, rmErr = r.removeFinalizers(ctx, s.key, toRemove)
		for i, p := range toRemove {
			if removed[i] {
				withFinalizer.Delete(p.UID)
			}
		}
	}
	if countUncounted(&s.job.Status, withFinalizer) {
		needsFlush = true
	}
	if rmErr != nil && needsFlush {
		// Save what was counted before giving up.
		if err := r.updateStatus(ctx, s.job); err != nil {
			return needsFlush, fmt.Errorf("removing uncounted pods from status: %w", err)
		}
	}
	return needsFlush, rmErr
}

// countUncounted moves the uncounted pods that no longer hold the finalizer into the
// succeeded and failed counters; it reports whether anything moved.
func countUncounted(status *batchv1.JobStatus, withFinalizer sets.Set[types.UID]) bool {
	u := status.UncountedTerminatedPods
	keep := func(uids []types.UID) []types.UID {
		var out []types.UID
		for _, uid := range uids {
			if withFinalizer.Has(uid) {
				out = append(out, uid)
			}
		}
		return out
	}
	succeeded, failed := keep(u.Succeeded), keep(u.Failed)
	changed := len(succeeded) != len(u.Succeeded) || len(failed) != len(u.Failed)
	status.Succeeded += int32(len(u.Succeeded) - len(succeeded))
	status.Failed += int32(len(u.Failed) - len(failed))
	u.Succeeded, u.Failed = succeeded, failed
	return changed
}

// removeFinalizers takes the tracking finalizer off the pods (a pod already gone counts as
// done) and reports which it could.
func (r *Reconciler) removeFinalizers(ctx context.Context, key string, pods []*corev1.Pod) ([]bool, error) {
	uids := make([]types.UID, len(pods))
	for i, p := range pods {
		uids[i] = p.UID
	}
	r.finalizers.expect(key, uids...)
	done := make([]atomic.Bool, len(pods))
	err := forEach(pods, func(i int, p *corev1.Pod) error {
		if err := r.patchPod(ctx, p, removeFinalizerPatch); err != nil {
			// No update will show the removal.
			r.finalizers.observed(key, p.UID)
			if !apierrors.IsNotFound(err) {
				return fmt.Errorf("removing tracking finalizer: %w", err)
			}
		}
		done[i].Store(true)
		return nil
	})
	out := make([]bool, len(pods))
	for i := range done {
		out[i] = done[i].Load()
	}
	return out, err
}

// enactFinished sets the Complete or Failed condition once no pod is left uncounted or
// terminating.
func (r *Reconciler) enactFinished(ctx context.Context, s *syncState) bool {
	c := s.finished
	if c == nil {
		return false
	}
	job := s.job
	if u := job.Status.UncountedTerminatedPods; u != nil && len(u.Succeeded)+len(u.Failed) > 0 {
		log.FromContext(ctx).V(4).Info("Delaying marking the Job as finished, because there are still uncounted pod(s)", "condition", c.Type)
		return false
	}
	if s.terminating > 0 {
		log.FromContext(ctx).V(4).Info("Delaying marking the Job as finished, because there are still terminating pod(s)", "condition", c.Type, "count", s.terminating)
		return false
	}
	job.Status.Conditions, _ = setCondition(job.Status.Conditions, c.Type, c.Status, c.Reason, c.Message, r.clock.Now())
	if c.Type == batchv1.JobComplete {
		job.Status.CompletionTime = ptr.To(c.LastTransitionTime)
	}
	return true
}

// recordFinished records upstream's event for a finished Job.
func (r *Reconciler) recordFinished(job *batchv1.Job, c *batchv1.JobCondition) {
	if c.Type != batchv1.JobComplete {
		r.recorder.Event(job, corev1.EventTypeWarning, c.Reason, c.Message)
		return
	}
	if job.Spec.Completions != nil && job.Status.Succeeded > *job.Spec.Completions {
		r.recorder.Event(job, corev1.EventTypeWarning, reasonTooManyPods, msgTooManyPods)
	}
	r.recorder.Event(job, corev1.EventTypeNormal, eventJobCompleted, msgJobCompleted)
}

// updateStatus writes the Job's status; job takes the server's answer.
func (r *Reconciler) updateStatus(ctx context.Context, job *batchv1.Job) error {
	if err := r.client.Status().Update(ctx, job); err != nil {
		return err
	}
	if job.Status.UncountedTerminatedPods == nil {
		job.Status.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	return nil
}
