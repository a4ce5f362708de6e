package job

import (
	"context"
	"math"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// succeededIndexes returns the indexes status.completedIndexes holds and those plus the
// indexes of succeeded pods not counted yet.
func succeededIndexes(job *batchv1.Job, pods []*corev1.Pod) (prev, all intervals) {
	completions := *job.Spec.Completions
	prev = parseIndexes(job.Status.CompletedIndexes, int(completions))
	fresh := sets.New[int]()
	for _, p := range pods {
		if ix := validIndex(p, completions); ix != noIndex && p.Status.Phase == corev1.PodSucceeded && hasTrackingFinalizer(p) {
			fresh.Insert(ix)
		}
	}
	return prev, prev.withIndexes(sets.List(fresh))
}

// failedIndexes returns status.failedIndexes plus the indexes whose uncounted failed pod
// fails the index: a FailIndex rule matched, or the index used up backoffLimitPerIndex.
func failedIndexes(ctx context.Context, job *batchv1.Job, pods []*corev1.Pod) *intervals {
	completions := *job.Spec.Completions
	var prev intervals
	if job.Status.FailedIndexes != nil {
		prev = parseIndexes(*job.Status.FailedIndexes, int(completions))
	}
	fresh := sets.New[int]()
	for _, p := range pods {
		if ix := validIndex(p, completions); ix != noIndex && hasTrackingFinalizer(p) && indexFailed(ctx, job, p) {
			fresh.Insert(ix)
		}
	}
	out := prev.withIndexes(sets.List(fresh))
	return &out
}

func indexFailed(ctx context.Context, job *batchv1.Job, pod *corev1.Pod) bool {
	if !isPodFailed(pod, job) {
		return false
	}
	m := matchFailurePolicy(job.Spec.PodFailurePolicy, pod)
	if m.action == batchv1.PodFailurePolicyActionFailIndex {
		return true
	}
	return m.counts() && annotationCount(ctx, pod, batchv1.JobIndexFailureCountAnnotation) >= *job.Spec.BackoffLimitPerIndex
}

// podsWithDelayedDeletion picks, per index still to be retried, the failed pod with the most
// failures (the latest one on a tie): it keeps its finalizer until a replacement carries its
// failure count on.
func podsWithDelayedDeletion(ctx context.Context, s *syncState) map[int]*corev1.Pod {
	activeIdx := indexesOf(s.active)
	out := map[int]*corev1.Pod{}
	completions := *s.job.Spec.Completions
	for _, p := range s.pods {
		if !hasTrackingFinalizer(p) || s.expectedRmFinalizers.Has(p.UID) || !isPodFailed(p, s.job) {
			continue
		}
		ix := validIndex(p, completions)
		if ix == noIndex || s.succeededIdx.has(ix) || s.failedIdx.has(ix) || activeIdx.Has(ix) {
			continue
		}
		last, ok := out[ix]
		if !ok || absoluteFailures(ctx, last) <= absoluteFailures(ctx, p) && !podFinishTime(p).Before(podFinishTime(last)) {
			out[ix] = p
		}
	}
	return out
}

// indexesReadyNow keeps the indexes whose back-off has passed; when none has, it returns the
// shortest wait.
func indexesReadyNow(indexes *[]int, delayed map[int]*corev1.Pod, now time.Time) time.Duration {
	var ready []int
	var wait time.Duration
	for _, ix := range *indexes {
		d := time.Duration(0)
		if last := delayed[ix]; last != nil {
			finished := podFinishTime(last)
			d = backoffDelay(absoluteFailures(context.Background(), last)+1, &finished, now)
		}
		if d == 0 {
			ready = append(ready, ix)
		} else if wait == 0 || d < wait {
			wait = d
		}
	}
	*indexes = ready
	if len(ready) > 0 {
		return 0
	}
	return wait
}

// replacementFailureCounts are the index failure counts for the pod replacing replaced: its
// counts plus its own failure, counted or ignored as the pod failure policy says.
func replacementFailureCounts(ctx context.Context, job *batchv1.Job, replaced *corev1.Pod) (count, ignored int32) {
	if replaced == nil {
		return 0, 0
	}
	count = annotationCount(ctx, replaced, batchv1.JobIndexFailureCountAnnotation)
	ignored = annotationCount(ctx, replaced, batchv1.JobIndexIgnoredFailureCountAnnotation)
	if matchFailurePolicy(job.Spec.PodFailurePolicy, replaced).counts() {
		count++
	} else {
		ignored++
	}
	return count, ignored
}

func absoluteFailures(ctx context.Context, pod *corev1.Pod) int32 {
	return annotationCount(ctx, pod, batchv1.JobIndexFailureCountAnnotation) +
		annotationCount(ctx, pod, batchv1.JobIndexIgnoredFailureCountAnnotation)
}

// annotationCount reads a count annotation; a missing, unparsable or out-of-range value is 0.
func annotationCount(ctx context.Context, pod *corev1.Pod, key string) int32 {
	v, ok := pod.Annotations[key]
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > math.MaxInt32 {
		log.FromContext(ctx).Info("The value is invalid", "annotation", key, "value", v, "pod", pod.Name)
		return 0
	}
	return int32(n)
}
