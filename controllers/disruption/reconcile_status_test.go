package disruption

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestDesiredCounts(t *testing.T) {
	scale := func(n int32, err error) scaleFunc {
		return func() (int32, []string, error) { return n, []string{"lonely"}, err }
	}
	tests := []struct {
		name         string
		minAvailable *intstr.IntOrString
		maxUnavail   *intstr.IntOrString
		pods         int
		scale        scaleFunc
		wantExpected int32
		wantDesired  int32
		wantErr      bool
	}{
		{"minAvailable int counts pods", ptr.To(intstr.FromInt32(2)), nil, 3, nil, 3, 2, false},
		{"minAvailable percent rounds up", ptr.To(intstr.FromString("50%")), nil, 3, scale(3, nil), 3, 2, false},
		{"minAvailable 100%", ptr.To(intstr.FromString("100%")), nil, 1, scale(4, nil), 4, 4, false},
		{"maxUnavailable int", nil, ptr.To(intstr.FromInt32(1)), 3, scale(3, nil), 3, 2, false},
		{"maxUnavailable percent rounds up", nil, ptr.To(intstr.FromString("30%")), 3, scale(5, nil), 5, 3, false},
		{"maxUnavailable above scale", nil, ptr.To(intstr.FromInt32(7)), 3, scale(3, nil), 3, 0, false},
		{"scale error", nil, ptr.To(intstr.FromInt32(1)), 3, scale(0, errors.New("boom")), 0, 0, true},
		{"bad percent", ptr.To(intstr.FromString("half")), nil, 3, scale(3, nil), 0, 0, true},
		{"neither", nil, nil, 3, nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdb := &policyv1.PodDisruptionBudget{Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: tt.minAvailable, MaxUnavailable: tt.maxUnavail}}
			expected, desired, _, err := desiredCounts(pdb, tt.pods, tt.scale)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v", err)
			}
			if expected != tt.wantExpected || desired != tt.wantDesired {
				t.Errorf("expected/desired %d/%d, want %d/%d", expected, desired, tt.wantExpected, tt.wantDesired)
			}
		})
	}
}

func pod(name string, ready bool, mutate ...func(*corev1.Pod)) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.PodStatus{
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}},
	}}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func TestCountHealthyAndDisruptedPods(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	deleting := func(p *corev1.Pod) { p.DeletionTimestamp = &metav1.Time{Time: now} }
	pods := []*corev1.Pod{
		pod("ready", true),
		pod("unready", false),
		pod("deleting", true, deleting),
		pod("evicted-recently", true),
		pod("evicted-long-ago", true),
	}
	pdb := &policyv1.PodDisruptionBudget{Status: policyv1.PodDisruptionBudgetStatus{DisruptedPods: map[string]metav1.Time{
		"evicted-recently": {Time: now.Add(-time.Minute)},
		"evicted-long-ago": {Time: now.Add(-3 * time.Minute)},
		"deleting":         {Time: now.Add(-time.Minute)},
		"gone":             {Time: now.Add(-time.Minute)},
	}}}
	disrupted, recheck, expired := disruptedPods(pods, pdb, now)
	if _, ok := disrupted["evicted-recently"]; len(disrupted) != 1 || !ok {
		t.Errorf("disrupted %v, want only evicted-recently", disrupted)
	}
	if recheck == nil || !recheck.Equal(now.Add(time.Minute)) {
		t.Errorf("recheck %v, want in a minute", recheck)
	}
	if len(expired) != 1 || expired[0].Name != "evicted-long-ago" {
		t.Errorf("expired %v", expired)
	}
	// ready and evicted-long-ago count; unready, deleting and evicted-recently do not.
	if got := countHealthy(pods, disrupted, now); got != 2 {
		t.Errorf("healthy %d, want 2", got)
	}
	if d, r, e := disruptedPods(pods, &policyv1.PodDisruptionBudget{}, now); len(d) != 0 || r != nil || e != nil {
		t.Errorf("no entries: %v %v %v", d, r, e)
	}
}

func TestNewStatus(t *testing.T) {
	base := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Generation: 3}}
	tests := []struct {
		name                       string
		current, desired, expected int32
		wantAllowed                int32
		wantReason                 string
	}{
		{"spare pods", 3, 2, 3, 1, policyv1.SufficientPodsReason},
		{"exactly enough", 2, 2, 3, 0, policyv1.InsufficientPodsReason},
		{"too few", 1, 2, 3, 0, policyv1.InsufficientPodsReason},
		{"nothing expected", 2, 0, 0, 0, policyv1.InsufficientPodsReason},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := newStatus(base, tt.current, tt.desired, tt.expected, map[string]metav1.Time{})
			if got == nil {
				t.Fatal("no update")
			}
			s := got.Status
			if s.DisruptionsAllowed != tt.wantAllowed || s.CurrentHealthy != tt.current || s.DesiredHealthy != tt.desired ||
				s.ExpectedPods != tt.expected || s.ObservedGeneration != 3 {
				t.Errorf("status %+v", s)
			}
			c := meta.FindStatusCondition(s.Conditions, policyv1.DisruptionAllowedCondition)
			if c == nil || c.Reason != tt.wantReason || (c.Status == metav1.ConditionTrue) != (tt.wantAllowed > 0) || c.ObservedGeneration != 3 {
				t.Errorf("condition %+v", c)
			}
			// Applying the same numbers again changes nothing.
			if again := newStatus(got, tt.current, tt.desired, tt.expected, map[string]metav1.Time{}); again != nil {
				t.Errorf("second update %+v", again.Status)
			}
		})
	}
}

func TestStaleConditionSince(t *testing.T) {
	since := metav1.Now()
	cond := func(status corev1.ConditionStatus, reason string) func(*corev1.Pod) {
		return func(p *corev1.Pod) {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: status, Reason: reason, LastTransitionTime: since})
		}
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		want bool
	}{
		{"evicted, not deleted", pod("p", true, cond(corev1.ConditionTrue, "EvictionByEvictionAPI")), true},
		{"no condition", pod("p", true), false},
		{"condition false", pod("p", true, cond(corev1.ConditionFalse, "")), false},
		{"by kubelet", pod("p", true, cond(corev1.ConditionTrue, corev1.PodReasonTerminationByKubelet)), false},
		{"being deleted", pod("p", true, cond(corev1.ConditionTrue, "EvictionByEvictionAPI"), func(p *corev1.Pod) { p.DeletionTimestamp = &since }), false},
		{"terminal", pod("p", true, cond(corev1.ConditionTrue, "EvictionByEvictionAPI"), func(p *corev1.Pod) { p.Status.Phase = corev1.PodFailed }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := staleConditionSince(tt.pod); (got != nil) != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
