package replicaset

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

var now = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

type podOpt func(*corev1.Pod)

func pod(name string, opts ...podOpt) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name),
		CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))}}
	for _, o := range opts {
		o(p)
	}
	return p
}

func onNode(n string) podOpt { return func(p *corev1.Pod) { p.Spec.NodeName = n } }

func phase(ph corev1.PodPhase) podOpt { return func(p *corev1.Pod) { p.Status.Phase = ph } }

// readySince marks the pod running and ready since ago before now.
func readySince(ago time.Duration) podOpt {
	return func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodRunning
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-ago))}}
	}
}

func created(ago time.Duration) podOpt {
	return func(p *corev1.Pod) { p.CreationTimestamp = metav1.NewTime(now.Add(-ago)) }
}

func cost(v string) podOpt {
	return func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.PodDeletionCost: v} }
}

func restartCount(n int32) podOpt {
	return func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "c", RestartCount: n}}
	}
}

func TestRankedPodsLess(t *testing.T) {
	running := []podOpt{onNode("n"), readySince(time.Hour)}
	tests := []struct {
		name         string
		first, other *corev1.Pod // first must be deleted before other
		rankFirst    int
		rankOther    int
	}{
		{"unscheduled before scheduled", pod("a"), pod("b", onNode("n")), 0, 0},
		{"pending before unknown", pod("a", onNode("n"), phase(corev1.PodPending)), pod("b", onNode("n"), phase(corev1.PodUnknown)), 0, 0},
		{"unknown before running", pod("a", onNode("n"), phase(corev1.PodUnknown)), pod("b", onNode("n"), phase(corev1.PodRunning)), 0, 0},
		{"not ready before ready", pod("a", onNode("n"), phase(corev1.PodRunning)), pod("b", running...), 0, 0},
		{"lower deletion cost first", pod("a", append(running, cost("-5"))...), pod("b", running...), 0, 0},
		{"deletion cost beats rank", pod("a", append(running, cost("1"))...), pod("b", append(running, cost("2"))...), 0, 5},
		{"invalid deletion cost counts as 0", pod("a", append(running, cost("+3"))...), pod("b", append(running, cost("1"))...), 0, 0},
		{"more colocated first", pod("a", running...), pod("b", running...), 3, 1},
		{"ready for less time first", pod("a", onNode("n"), readySince(time.Minute)), pod("b", onNode("n"), readySince(time.Hour)), 0, 0},
		{"more restarts first", pod("a", append(running, restartCount(5))...), pod("b", append(running, restartCount(1))...), 0, 0},
		{"newer first", pod("a", append(running, created(time.Minute))...), pod("b", append(running, created(time.Hour))...), 0, 0},
		{"same log2 age broken by UID", pod("a", append(running, created(61*time.Minute))...), pod("b", append(running, created(62*time.Minute))...), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := rankedPods{pods: []*corev1.Pod{tt.first, tt.other}, rank: []int{tt.rankFirst, tt.rankOther}, now: now}
			if !s.Less(0, 1) {
				t.Errorf("%s not ranked before %s", tt.first.Name, tt.other.Name)
			}
			if s.Less(1, 0) {
				t.Errorf("%s also ranked before %s", tt.other.Name, tt.first.Name)
			}
		})
	}
}

func TestPodsToDelete(t *testing.T) {
	ready := pod("ready", onNode("n1"), readySince(time.Hour))
	pending := pod("pending")
	crowded := pod("crowded", onNode("n2"), readySince(time.Hour))
	sibling := pod("sibling", onNode("n2"), readySince(time.Hour))
	tests := []struct {
		name    string
		pods    []*corev1.Pod
		related []*corev1.Pod
		diff    int
		want    []string
	}{
		{"all go", []*corev1.Pod{ready, pending}, nil, 2, []string{"ready", "pending"}},
		{"pending first", []*corev1.Pod{ready, pending}, nil, 1, []string{"pending"}},
		{"doubled-up node first", []*corev1.Pod{ready, crowded}, []*corev1.Pod{ready, crowded, sibling}, 1, []string{"crowded"}},
		{"terminating siblings do not count", []*corev1.Pod{ready, crowded},
			[]*corev1.Pod{ready, pod("n1-sibling", onNode("n1"), readySince(time.Hour)), crowded, going("g1", "n2"), going("g2", "n2")},
			1, []string{"ready"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := podsToDelete(tt.pods, tt.related, tt.diff, now)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d pods, want %v", len(got), tt.want)
			}
			for i := range got {
				if got[i].Name != tt.want[i] {
					t.Errorf("pod %d = %s, want %s", i, got[i].Name, tt.want[i])
				}
			}
		})
	}
}

func going(name, node string) *corev1.Pod {
	return pod(name, onNode(node), readySince(time.Hour), func(p *corev1.Pod) { p.DeletionTimestamp = ptr.To(metav1.NewTime(now)) })
}

func TestDeletionCost(t *testing.T) {
	tests := map[string]int32{"": 0, "0": 0, "10": 10, "-10": -10, "+1": 0, "007": 0, "abc": 0, "2147483648": 0}
	for v, want := range tests {
		if got := deletionCost(pod("p", cost(v))); got != want {
			t.Errorf("deletionCost(%q) = %d, want %d", v, got, want)
		}
	}
}
