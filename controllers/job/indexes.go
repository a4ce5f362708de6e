package job

import (
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
)

// noIndex stands for a pod without a valid completion index.
const noIndex = -1

// interval is a closed range of completion indexes.
type interval struct{ first, last int }

// intervals are sorted, non-overlapping, non-adjacent ranges, written as in
// status.completedIndexes ("1,3-5").
type intervals []interval

// parseIndexes reads "1,3-5" keeping only indexes below completions; parts that do not parse
// are skipped, as upstream does with a corrupted status.
func parseIndexes(s string, completions int) intervals {
	if s == "" {
		return nil
	}
	var out intervals
	for _, part := range strings.Split(s, ",") {
		bounds := strings.SplitN(part, "-", 2)
		first, err := strconv.Atoi(bounds[0])
		if err != nil {
			continue
		}
		if first >= completions {
			break
		}
		last := first
		if len(bounds) == 2 {
			if last, err = strconv.Atoi(bounds[1]); err != nil {
				continue
			}
			last = min(last, completions-1)
		}
		out = append(out, interval{first, last})
	}
	return intervals(nil).merge(out)
}

// String formats the ranges; a range of two is written "a,b" as upstream does.
func (iv intervals) String() string {
	var b strings.Builder
	for _, r := range iv {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(r.first))
		switch {
		case r.last == r.first+1:
			b.WriteByte(',')
			b.WriteString(strconv.Itoa(r.last))
		case r.last > r.first:
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(r.last))
		}
	}
	return b.String()
}

// total is how many indexes the ranges hold.
func (iv intervals) total() int {
	n := 0
	for _, r := range iv {
		n += r.last - r.first + 1
	}
	return n
}

// has reports whether ix is in one of the ranges.
func (iv intervals) has(ix int) bool {
	i, _ := slices.BinarySearchFunc(iv, ix, func(r interval, ix int) int { return r.last - ix })
	return i < len(iv) && iv[i].first <= ix
}

// merge returns the union of both lists.
func (iv intervals) merge(other intervals) intervals {
	all := append(slices.Clone(iv), other...)
	slices.SortFunc(all, func(a, b interval) int { return a.first - b.first })
	var out intervals
	for _, r := range all {
		if n := len(out); n > 0 && r.first <= out[n-1].last+1 {
			out[n-1].last = max(out[n-1].last, r.last)
			continue
		}
		out = append(out, r)
	}
	return out
}

// withIndexes returns the union with single indexes.
func (iv intervals) withIndexes(ixs []int) intervals {
	add := make(intervals, len(ixs))
	for i, ix := range ixs {
		add[i] = interval{ix, ix}
	}
	return iv.merge(add)
}

// completionIndex reads a pod's batch.kubernetes.io/job-completion-index annotation.
func completionIndex(pod *corev1.Pod) int {
	v, ok := pod.Annotations[batchv1.JobCompletionIndexAnnotation]
	if !ok {
		return noIndex
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 {
		return noIndex
	}
	return i
}

// validIndex returns pod's index if it is below completions, else noIndex.
func validIndex(pod *corev1.Pod, completions int32) int {
	if ix := completionIndex(pod); ix != noIndex && ix < int(completions) {
		return ix
	}
	return noIndex
}

// indexesOf returns the set of completion indexes of pods.
func indexesOf(pods []*corev1.Pod) sets.Set[int] {
	out := sets.New[int]()
	for _, p := range pods {
		if ix := completionIndex(p); ix != noIndex {
			out.Insert(ix)
		}
	}
	return out
}

// firstPendingIndexes returns up to count indexes below completions that are in none of the
// taken ranges, lowest first.
func firstPendingIndexes(taken intervals, count, completions int) []int {
	var out []int
	candidate := 0
	for _, r := range taken {
		for ; candidate < completions && len(out) < count && candidate < r.first; candidate++ {
			out = append(out, candidate)
		}
		candidate = max(candidate, r.last+1)
	}
	for ; candidate < completions && len(out) < count; candidate++ {
		out = append(out, candidate)
	}
	return out
}

// podGenerateName is "<job>-<index>-", the job name cut so that the prefix stays within the
// 58 characters a generated name may start with.
func podGenerateName(jobName string, index int) string {
	const maxGeneratedNameLength = 63 - 5
	suffix := "-" + strconv.Itoa(index) + "-"
	if len(jobName)+len(suffix) > maxGeneratedNameLength {
		jobName = jobName[:maxGeneratedNameLength-len(suffix)]
	}
	return jobName + suffix
}
