package nodelifecycle

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	testingclock "k8s.io/utils/clock/testing"
)

func TestComputeZoneState(t *testing.T) {
	c := func(s corev1.ConditionStatus) *corev1.NodeCondition {
		return &corev1.NodeCondition{Type: corev1.NodeReady, Status: s}
	}
	T, F, U := corev1.ConditionTrue, corev1.ConditionFalse, corev1.ConditionUnknown
	tests := []struct {
		name         string
		conds        []*corev1.NodeCondition
		wantUnhealth int
		want         zoneState
	}{
		{"all ready", []*corev1.NodeCondition{c(T), c(T)}, 0, stateNormal},
		{"one of two down", []*corev1.NodeCondition{c(T), c(U)}, 1, stateNormal},
		{"none ready", []*corev1.NodeCondition{c(F), c(U)}, 2, stateFullDisruption},
		{"missing condition counts as not ready", []*corev1.NodeCondition{nil}, 1, stateFullDisruption},
		{"three of four down", []*corev1.NodeCondition{c(T), c(U), c(U), c(F)}, 3, statePartialDisruption},
		{"three of six down is under 55%", []*corev1.NodeCondition{c(T), c(T), c(T), c(U), c(U), c(F)}, 3, stateNormal},
		{"two of three down: fewer than three", []*corev1.NodeCondition{c(T), c(U), c(U)}, 2, stateNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, s := computeZoneState(tt.conds)
			if n != tt.wantUnhealth || s != tt.want {
				t.Errorf("computeZoneState = %d, %s; want %d, %s", n, s, tt.wantUnhealth, tt.want)
			}
		})
	}
}

func TestZoneEvictionRate(t *testing.T) {
	tests := []struct {
		state zoneState
		size  int
		want  float32
	}{
		{stateNormal, 3, evictionRate},
		{stateFullDisruption, 3, evictionRate},
		{statePartialDisruption, 10, 0},
		{statePartialDisruption, 51, secondaryEvictionRate},
	}
	for _, tt := range tests {
		if got := zoneEvictionRate(tt.state, tt.size); got != tt.want {
			t.Errorf("zoneEvictionRate(%s, %d) = %v, want %v", tt.state, tt.size, got, tt.want)
		}
	}
}

func TestTaintQueue(t *testing.T) {
	clk := testingclock.NewFakeClock(t0)
	q := newTaintQueue(clk, evictionRate)
	var got []string
	take := func(name string) (bool, time.Duration) { got = append(got, name); return true, 0 }
	if !q.add("a") || !q.add("b") || q.add("a") {
		t.Fatal("add should take new names once")
	}
	q.try(take)
	if len(got) != 1 || got[0] != "a" {
		t.Fatalf("first try took %v, want [a] (burst 1)", got)
	}
	q.try(take)
	if len(got) != 1 {
		t.Fatalf("second try at once took %v, want nothing more (0.1/s)", got)
	}
	clk.Step(10 * time.Second)
	q.try(take)
	if len(got) != 2 || got[1] != "b" {
		t.Fatalf("after 10s took %v, want [a b]", got)
	}
	if q.add("a") {
		t.Error("a processed node is not queued again")
	}
	if !q.remove("a") || !q.add("a") {
		t.Error("a removed node can be queued again")
	}
	q.setRate(0)
	clk.Step(time.Minute)
	q.try(take)
	if len(got) != 2 {
		t.Errorf("a stopped queue handed out %v", got)
	}
}
