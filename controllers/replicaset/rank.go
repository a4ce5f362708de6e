package replicaset

import (
	"math"
	"sort"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// phaseOrder puts pending before unknown before running pods.
var phaseOrder = map[corev1.PodPhase]int{corev1.PodPending: 0, corev1.PodUnknown: 1, corev1.PodRunning: 2}

// rankedPods sorts pods so that the ones to delete first come first, as upstream's
// ActivePodsWithRanks: unscheduled < scheduled; pending < unknown < running; not ready < ready;
// lower pod-deletion-cost < higher; more colocated sibling pods (rank) < fewer; ready for less
// time < more; more restarts < fewer; newer < older. Times compare on a log2 scale relative to
// now, ties broken by UID, so equivalent pods are picked pseudo-randomly.
type rankedPods struct {
	pods []*corev1.Pod
	rank []int
	now  time.Time
}

func (s rankedPods) Len() int { return len(s.pods) }

func (s rankedPods) Swap(i, j int) {
	s.pods[i], s.pods[j] = s.pods[j], s.pods[i]
	s.rank[i], s.rank[j] = s.rank[j], s.rank[i]
}

func (s rankedPods) Less(i, j int) bool {
	pi, pj := s.pods[i], s.pods[j]
	if pi.Spec.NodeName != pj.Spec.NodeName && (pi.Spec.NodeName == "" || pj.Spec.NodeName == "") {
		return pi.Spec.NodeName == ""
	}
	if phaseOrder[pi.Status.Phase] != phaseOrder[pj.Status.Phase] {
		return phaseOrder[pi.Status.Phase] < phaseOrder[pj.Status.Phase]
	}
	readyI, readyJ := podready.IsReady(pi), podready.IsReady(pj)
	if readyI != readyJ {
		return !readyI
	}
	if ci, cj := deletionCost(pi), deletionCost(pj); ci != cj {
		return ci < cj
	}
	if s.rank[i] != s.rank[j] {
		return s.rank[i] > s.rank[j]
	}
	if readyI && readyJ {
		ti, tj := readyTime(pi), readyTime(pj)
		if !ti.Equal(&tj) {
			return s.newerFirst(pi, pj, ti, tj)
		}
	}
	if ri, rj := maxRestarts(pi), maxRestarts(pj); ri != rj {
		if ri.regular != rj.regular {
			return ri.regular > rj.regular
		}
		return ri.sidecar > rj.sidecar
	}
	if !pi.CreationTimestamp.Equal(&pj.CreationTimestamp) {
		return s.newerFirst(pi, pj, pi.CreationTimestamp, pj.CreationTimestamp)
	}
	return false
}

// newerFirst orders by ti, tj (the later first, zero times before all), on a log2 scale of
// their age when now is set.
func (s rankedPods) newerFirst(pi, pj *corev1.Pod, ti, tj metav1.Time) bool {
	if s.now.IsZero() || ti.IsZero() || tj.IsZero() {
		return afterOrZero(ti, tj)
	}
	if d := log2Age(ti, s.now) - log2Age(tj, s.now); d != 0 {
		return d < 0
	}
	return pi.UID < pj.UID
}

// afterOrZero reports whether t1 is after t2, a zero time counting as after any other.
func afterOrZero(t1, t2 metav1.Time) bool {
	if t1.IsZero() || t2.IsZero() {
		return t1.IsZero()
	}
	return t1.After(t2.Time)
}

func log2Age(t metav1.Time, now time.Time) int64 {
	if d := now.Sub(t.Time); d > 0 {
		return int64(math.Log2(float64(d)))
	}
	return -1
}

func readyTime(pod *corev1.Pod) metav1.Time {
	if c := podready.Condition(pod); c != nil && c.Status == corev1.ConditionTrue {
		return c.LastTransitionTime
	}
	return metav1.Time{}
}

type restarts struct{ regular, sidecar int32 }

// maxRestarts is the highest restart count among pod's containers, and among its sidecars
// (init containers that always restart).
func maxRestarts(pod *corev1.Pod) restarts {
	var r restarts
	for _, c := range pod.Status.ContainerStatuses {
		r.regular = max(r.regular, c.RestartCount)
	}
	sidecars := map[string]bool{}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
		}
	}
	for _, c := range pod.Status.InitContainerStatuses {
		if sidecars[c.Name] {
			r.sidecar = max(r.sidecar, c.RestartCount)
		}
	}
	return r
}

// deletionCost reads the controller.kubernetes.io/pod-deletion-cost annotation; 0 when absent
// or invalid (a sign, leading zeros and out-of-range numbers are invalid).
func deletionCost(pod *corev1.Pod) int32 {
	v, ok := pod.Annotations[corev1.PodDeletionCost]
	if !ok || v == "" {
		return 0
	}
	if !(v[0] == '-' || v == "0" || (v[0] >= '1' && v[0] <= '9')) {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0
	}
	return int32(n)
}

// podsToDelete picks diff of pods to delete, ranking them when not all go: related are the
// active pods of the owner's siblings (ReplicaSets of the same Deployment), and a pod ranks
// higher the more of them share its node.
func podsToDelete(pods, related []*corev1.Pod, diff int, now time.Time) []*corev1.Pod {
	if diff >= len(pods) {
		return pods
	}
	onNode := map[string]int{}
	for _, p := range related {
		if isPodActive(p) {
			onNode[p.Spec.NodeName]++
		}
	}
	ranked := rankedPods{pods: append([]*corev1.Pod(nil), pods...), rank: make([]int, len(pods)), now: now}
	for i, p := range ranked.pods {
		ranked.rank[i] = onNode[p.Spec.NodeName]
	}
	sort.Sort(ranked)
	return ranked.pods[:diff]
}
