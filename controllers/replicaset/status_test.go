package replicaset

import (
	"errors"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func replicaSet(replicas, minReady int32, conditions ...appsv1.ReplicaSetCondition) *appsv1.ReplicaSet {
	return &appsv1.ReplicaSet{
		Spec: appsv1.ReplicaSetSpec{
			Replicas:        ptr.To(replicas),
			MinReadySeconds: minReady,
			Template:        corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a", "tier": "t"}}},
		},
		Status: appsv1.ReplicaSetStatus{Conditions: conditions},
	}
}

func labelled(set map[string]string) podOpt { return func(p *corev1.Pod) { p.Labels = set } }

func TestCalculateStatus(t *testing.T) {
	full := labelled(map[string]string{"app": "a", "tier": "t"})
	failure := appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate"}
	tests := []struct {
		name                                 string
		rs                                   *appsv1.ReplicaSet
		active                               []*corev1.Pod
		terminating                          int
		err                                  error
		replicas, labelled, ready, available int32
		failure                              string // expected reason of ReplicaFailure, "" for none
	}{
		{name: "counts", rs: replicaSet(3, 0),
			active:   []*corev1.Pod{pod("a", full, readySince(time.Minute)), pod("b", readySince(time.Minute)), pod("c", full)},
			replicas: 3, labelled: 2, ready: 2, available: 2},
		{name: "minReadySeconds", rs: replicaSet(2, 30),
			active:   []*corev1.Pod{pod("a", readySince(time.Minute)), pod("b", readySince(10*time.Second))},
			replicas: 2, ready: 2, available: 1},
		{name: "terminating", rs: replicaSet(1, 0), active: []*corev1.Pod{pod("a")}, terminating: 2, replicas: 1},
		{name: "create failure", rs: replicaSet(3, 0), active: []*corev1.Pod{pod("a")}, err: errors.New("quota"), replicas: 1, failure: "FailedCreate"},
		{name: "delete failure", rs: replicaSet(0, 0), active: []*corev1.Pod{pod("a")}, err: errors.New("no"), replicas: 1, failure: "FailedDelete"},
		{name: "failure kept", rs: replicaSet(3, 0, failure), err: errors.New("again"), failure: "FailedCreate"},
		{name: "failure cleared", rs: replicaSet(0, 0, failure)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var terminating []*corev1.Pod
			for range tt.terminating {
				terminating = append(terminating, pod("t"))
			}
			s := calculateStatus(tt.rs, tt.active, terminating, tt.err, true, now)
			if s.Replicas != tt.replicas || s.FullyLabeledReplicas != tt.labelled || s.ReadyReplicas != tt.ready || s.AvailableReplicas != tt.available {
				t.Errorf("status %+v, want replicas %d labelled %d ready %d available %d", s, tt.replicas, tt.labelled, tt.ready, tt.available)
			}
			if got := ptr.Deref(s.TerminatingReplicas, -1); got != int32(tt.terminating) {
				t.Errorf("terminatingReplicas = %d, want %d", got, tt.terminating)
			}
			c := GetCondition(s, appsv1.ReplicaSetReplicaFailure)
			switch {
			case tt.failure == "" && c != nil:
				t.Errorf("unexpected ReplicaFailure %+v", c)
			case tt.failure != "" && (c == nil || c.Reason != tt.failure || c.Status != corev1.ConditionTrue):
				t.Errorf("ReplicaFailure %+v, want reason %s", c, tt.failure)
			case tt.failure != "" && tt.err != nil && len(tt.rs.Status.Conditions) == 0 && c.Message != tt.err.Error():
				t.Errorf("ReplicaFailure message %q, want %q", c.Message, tt.err.Error())
			}
		})
	}
	if s := calculateStatus(replicaSet(1, 0), nil, nil, nil, false, now); s.TerminatingReplicas != nil {
		t.Error("a kind without terminatingReplicas got them")
	}
}

func TestNextAvailabilityCheck(t *testing.T) {
	tests := []struct {
		name     string
		pods     []*corev1.Pod
		minReady int32
		later    time.Duration // between the evaluation and now
		want     *time.Duration
	}{
		{name: "none ready", pods: []*corev1.Pod{pod("a")}, minReady: 10},
		{name: "all available", pods: []*corev1.Pod{pod("a", readySince(time.Minute))}, minReady: 10},
		{name: "soonest", pods: []*corev1.Pod{pod("a", readySince(2*time.Second)), pod("b", readySince(5*time.Second))}, minReady: 10,
			want: ptr.To(5 * time.Second)},
		{name: "measured from now", pods: []*corev1.Pod{pod("a", readySince(5*time.Second))}, minReady: 10, later: 2 * time.Second,
			want: ptr.To(3 * time.Second)},
		{name: "passed meanwhile", pods: []*corev1.Pod{pod("a", readySince(9*time.Second))}, minReady: 10, later: 2 * time.Second,
			want: ptr.To(time.Duration(0))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := nextAvailabilityCheck(tt.pods, tt.minReady, now, now.Add(tt.later))
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("got %v, want %v", ptr.Deref(got, -1), ptr.Deref(tt.want, -1))
			}
		})
	}
}
