package job

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// maxPodChangesPerSync caps creations or deletions in one sync, as upstream's.
const maxPodChangesPerSync = 500

// manageJob brings the number of active pods to what the Job wants: none while suspended,
// else parallelism bounded by the completions left. It deletes or creates, never both, and
// holds creations back while the failure back-off runs. It returns the new active count.
func (r *Reconciler) manageJob(ctx context.Context, s *syncState) (int32, error) {
	job := s.job
	active := int32(len(s.active))
	if isSuspended(job) {
		return r.removePods(ctx, s, active, activePodsForRemoval(job, s.active, int(active)))
	}
	parallelism := ptr.Deref(job.Spec.Parallelism, 1)
	var want int32
	switch {
	case job.Spec.Completions == nil && s.succeeded > 0:
		// Any success ends a work-queue Job: leave what runs, running.
		want = active
	case job.Spec.Completions == nil:
		want = parallelism
	default:
		want = max(min(*job.Spec.Completions-s.succeeded, parallelism), 0)
	}
	rm := activePodsForRemoval(job, s.active, int(max(active-want, 0)))
	if len(rm) > maxPodChangesPerSync {
		rm = rm[:maxPodChangesPerSync]
	}
	if len(rm) > 0 {
		return r.removePods(ctx, s, active, rm)
	}
	var terminating int32
	if onlyReplaceFailedPods(job) {
		terminating = s.terminating
	}
	diff := want - terminating - active
	if diff <= 0 {
		return active, nil
	}
	if !hasBackoffLimitPerIndex(job) {
		if wait := backoffDelay(s.backoff.failuresAfterLastSuccess, s.backoff.lastFailureTime, r.clock.Now()); wait > 0 {
			s.requeueAfter(max(wait, syncBatchPeriod))
			return active, nil
		}
	}
	diff = min(diff, maxPodChangesPerSync)
	var indexes []int
	if isIndexed(job) {
		indexes = firstPendingIndexes(s.takenIndexes(), int(diff), int(*job.Spec.Completions))
		if hasBackoffLimitPerIndex(job) {
			if wait := indexesReadyNow(&indexes, s.delayed, r.clock.Now()); wait > 0 {
				s.requeueAfter(max(wait, syncBatchPeriod))
				return active, nil
			}
		}
		diff = int32(len(indexes))
	}
	created, err := r.createPods(ctx, s, int(diff), indexes)
	return active + int32(created), err
}

// takenIndexes are the indexes no new pod should get: succeeded, active, failed, and
// terminating ones when only failed pods are replaced.
func (s *syncState) takenIndexes() intervals {
	busy := indexesOf(s.active)
	if onlyReplaceFailedPods(s.job) {
		busy = busy.Union(indexesOf(filterPods(s.pods, isTerminating)))
	}
	taken := s.succeededIdx.withIndexes(sortedIndexes(busy))
	if s.failedIdx != nil {
		taken = taken.merge(*s.failedIdx)
	}
	return taken
}

// removePods deletes pods after taking their finalizer off (they are not to be counted),
// expecting the deletions; it returns the new active count.
func (r *Reconciler) removePods(ctx context.Context, s *syncState, active int32, pods []*corev1.Pod) (int32, error) {
	if len(pods) == 0 {
		return active, nil
	}
	r.pods.Expect(s.key, 0, len(pods))
	var removed, removedReady atomic.Int32
	errs := forEach(pods, func(_ int, p *corev1.Pod) error {
		failed := func(err error) error {
			r.pods.Observed(s.key, false)
			if apierrors.IsNotFound(err) {
				return nil
			}
			removed.Add(-1)
			return err
		}
		removed.Add(1)
		if hasTrackingFinalizer(p) {
			if err := r.patchPod(ctx, p, removeFinalizerPatch); err != nil {
				return failed(fmt.Errorf("removing completion finalizer: %w", err))
			}
		}
		if err := r.deletePod(ctx, s.job, p); err != nil {
			return failed(err)
		}
		if isReady(p) {
			removedReady.Add(1)
		}
		return nil
	})
	s.terminating += removed.Load()
	s.ready -= removedReady.Load()
	return active - removed.Load(), errs
}

// deleteActivePods deletes the active pods of a finishing Job, keeping their finalizers so
// that they are counted; it returns how many of them, and of the ready ones, went.
func (r *Reconciler) deleteActivePods(ctx context.Context, job *batchv1.Job, pods []*corev1.Pod) (int32, int32, error) {
	var deleted, deletedReady atomic.Int32
	err := forEach(pods, func(_ int, p *corev1.Pod) error {
		if err := r.deletePod(ctx, job, p); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
		deleted.Add(1)
		if isReady(p) {
			deletedReady.Add(1)
		}
		return nil
	})
	return deletedReady.Load(), deleted.Load(), err
}

// deletePod deletes a pod and records the event upstream's pod control does.
func (r *Reconciler) deletePod(ctx context.Context, job *batchv1.Job, pod *corev1.Pod) error {
	log.FromContext(ctx).V(2).Info("Deleting pod", "pod", pod.Name)
	target := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name}}
	if err := r.client.Delete(ctx, target); err != nil {
		if apierrors.IsNotFound(err) {
			return err
		}
		r.recorder.Eventf(job, corev1.EventTypeWarning, reasonFailedDelete, "Error deleting: %v", err)
		return fmt.Errorf("unable to delete pods: %w", err)
	}
	r.recorder.Eventf(job, corev1.EventTypeNormal, reasonDeleted, "Deleted pod: %v", pod.Name)
	return nil
}

// forEach runs f on every pod concurrently and joins the errors.
func forEach(pods []*corev1.Pod, f func(int, *corev1.Pod) error) error {
	errs := make([]error, len(pods))
	var wg sync.WaitGroup
	for i, p := range pods {
		wg.Go(func() { errs[i] = f(i, p) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// activePodsForRemoval picks at least rmAtLeast pods to delete: for Indexed Jobs first the
// pods without a valid index and all but one pod of a repeated index, then the least
// advanced pods.
func activePodsForRemoval(job *batchv1.Job, pods []*corev1.Pod, rmAtLeast int) []*corev1.Pod {
	var rm, left []*corev1.Pod
	if isIndexed(job) {
		rm, left = duplicatedIndexPods(pods, int(*job.Spec.Completions))
	} else {
		left = slices.Clone(pods)
	}
	if len(rm) < rmAtLeast {
		sortForRemoval(left)
		rm = append(rm, left[:rmAtLeast-len(rm)]...)
	}
	return rm
}

// duplicatedIndexPods splits pods into those to remove (no or out-of-range index, extra pods
// of one index) and those to keep (one per index, the most advanced).
func duplicatedIndexPods(pods []*corev1.Pod, completions int) (rm, keep []*corev1.Pod) {
	byIndex := map[int][]*corev1.Pod{}
	for _, p := range pods {
		ix := completionIndex(p)
		if ix == noIndex || ix >= completions {
			rm = append(rm, p)
			continue
		}
		byIndex[ix] = append(byIndex[ix], p)
	}
	for _, ix := range sortedIndexes(byIndex) {
		group := byIndex[ix]
		sortForRemoval(group)
		rm = append(rm, group[:len(group)-1]...)
		keep = append(keep, group[len(group)-1])
	}
	return rm, keep
}

func sortedIndexes[V any](m map[int]V) []int {
	out := make([]int, 0, len(m))
	for ix := range m {
		out = append(out, ix)
	}
	slices.Sort(out)
	return out
}
