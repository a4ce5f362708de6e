package job

import (
	"slices"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestParseAndFormatIndexes(t *testing.T) {
	tests := []struct {
		in          string
		completions int
		want        string
		total       int
	}{
		{in: "", completions: 5, want: "", total: 0},
		{in: "0", completions: 5, want: "0", total: 1},
		{in: "1,3-5", completions: 10, want: "1,3-5", total: 4},
		{in: "1,2", completions: 10, want: "1,2", total: 2},
		{in: "1,2,3", completions: 10, want: "1-3", total: 3},
		{in: "0-2,3-4", completions: 10, want: "0-4", total: 5},
		{in: "1,3-5,8", completions: 5, want: "1,3,4", total: 3},
		{in: "7-9", completions: 5, want: "", total: 0},
		{in: "x,2,a-b,4", completions: 5, want: "2,4", total: 2},
	}
	for _, tt := range tests {
		got := parseIndexes(tt.in, tt.completions)
		if got.String() != tt.want || got.total() != tt.total {
			t.Errorf("parseIndexes(%q, %d) = %q (total %d), want %q (total %d)", tt.in, tt.completions, got, got.total(), tt.want, tt.total)
		}
	}
}

func TestIntervalsMergeAndHas(t *testing.T) {
	iv := parseIndexes("1,3-5", 100).withIndexes([]int{0, 2, 9})
	if got, want := iv.String(), "0-5,9"; got != want {
		t.Errorf("merged = %q, want %q", got, want)
	}
	for ix, want := range map[int]bool{0: true, 5: true, 6: false, 8: false, 9: true, 10: false} {
		if got := iv.has(ix); got != want {
			t.Errorf("has(%d) = %v, want %v", ix, got, want)
		}
	}
}

func TestFirstPendingIndexes(t *testing.T) {
	tests := []struct {
		taken       string
		count, comp int
		want        []int
	}{
		{taken: "", count: 3, comp: 5, want: []int{0, 1, 2}},
		{taken: "0,2", count: 3, comp: 5, want: []int{1, 3, 4}},
		{taken: "1-3", count: 5, comp: 5, want: []int{0, 4}},
		{taken: "0-4", count: 2, comp: 5, want: nil},
		{taken: "3", count: 1, comp: 5, want: []int{0}},
	}
	for _, tt := range tests {
		got := firstPendingIndexes(parseIndexes(tt.taken, tt.comp), tt.count, tt.comp)
		if !slices.Equal(got, tt.want) {
			t.Errorf("firstPendingIndexes(%q, %d, %d) = %v, want %v", tt.taken, tt.count, tt.comp, got, tt.want)
		}
	}
}

func TestPodGenerateName(t *testing.T) {
	if got := podGenerateName("pi", 3); got != "pi-3-" {
		t.Errorf("got %q", got)
	}
	long := "a123456789b123456789c123456789d123456789e123456789f123456789"
	got := podGenerateName(long, 12)
	if len(got) != 58 || got[len(got)-4:] != "-12-" {
		t.Errorf("podGenerateName(long) = %q (%d chars)", got, len(got))
	}
}

func indexedPod(name string, ix string, phase corev1.PodPhase) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Finalizers: []string{batchv1.JobTrackingFinalizer}}}
	if ix != "" {
		p.Annotations = map[string]string{batchv1.JobCompletionIndexAnnotation: ix}
	}
	p.Status.Phase = phase
	return p
}

func TestSucceededIndexes(t *testing.T) {
	job := &batchv1.Job{Spec: batchv1.JobSpec{Completions: ptr.To[int32](6)}, Status: batchv1.JobStatus{CompletedIndexes: "0,1"}}
	pods := []*corev1.Pod{
		indexedPod("a", "3", corev1.PodSucceeded),
		indexedPod("b", "4", corev1.PodRunning),
		indexedPod("c", "9", corev1.PodSucceeded),   // out of range
		indexedPod("d", "bad", corev1.PodSucceeded), // no index
		indexedPod("e", "2", corev1.PodSucceeded),
	}
	prev, all := succeededIndexes(job, pods)
	if prev.String() != "0,1" || all.String() != "0-3" {
		t.Errorf("succeededIndexes = %q, %q; want \"0,1\", \"0-3\"", prev, all)
	}
}

func TestActivePodsForRemovalIndexed(t *testing.T) {
	job := &batchv1.Job{Spec: batchv1.JobSpec{Completions: ptr.To[int32](3), CompletionMode: ptr.To(batchv1.IndexedCompletion)}}
	running := func(name, ix string) *corev1.Pod { return indexedPod(name, ix, corev1.PodRunning) }
	dup := running("dup-running", "1")
	dup.Spec.NodeName = "n"
	pods := []*corev1.Pod{running("a", "0"), running("dup-pending", "1"), dup, running("none", ""), running("high", "7")}
	pods[1].Status.Phase = corev1.PodPending
	rm := activePodsForRemoval(job, pods, 0)
	var names []string
	for _, p := range rm {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	if want := []string{"dup-pending", "high", "none"}; !slices.Equal(names, want) {
		t.Errorf("removed %v, want %v", names, want)
	}
}
