package deployment

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func progressing(reason string, status corev1.ConditionStatus, updatedAgo, transitionAgo time.Duration) appsv1.DeploymentCondition {
	return appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: status, Reason: reason,
		LastUpdateTime: metav1.NewTime(now.Add(-updatedAgo)), LastTransitionTime: metav1.NewTime(now.Add(-transitionAgo))}
}

func TestRolloutStatus(t *testing.T) {
	failure := appsv1.ReplicaSetCondition{Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue, Reason: "FailedCreate", Message: "exceeded quota"}
	tests := []struct {
		name       string
		old        *appsv1.DeploymentStatus // the Deployment's status before
		rss        func() (all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet)
		noDeadline bool
		// want is the Progressing condition's reason and status, "" for none.
		wantReason     string
		wantStatus     corev1.ConditionStatus
		wantTransition time.Duration // ago; -1 for now
		wantMessage    string
		wantAvailable  string
		wantFailure    bool
	}{
		{
			name: "complete",
			old:  &appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{progressing(ReplicaSetUpdatedReason, corev1.ConditionTrue, time.Minute, time.Hour)}},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 4, 0), 4, 4, 4)
				return []*appsv1.ReplicaSet{n}, n
			},
			wantReason: NewRSAvailableReason, wantStatus: corev1.ConditionTrue, wantTransition: time.Hour,
			wantMessage: `ReplicaSet "d-new" has successfully progressed.`, wantAvailable: MinimumReplicasAvailable,
		},
		{
			name: "progressing refreshes the update time, keeps the transition",
			old: &appsv1.DeploymentStatus{UpdatedReplicas: 1, Replicas: 5, Conditions: []appsv1.DeploymentCondition{
				progressing(NewReplicaSetReason, corev1.ConditionTrue, time.Minute, time.Hour)}},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 2, 0), 2, 0, 0)
				return []*appsv1.ReplicaSet{withStatus(rs("d-old", 3, time.Hour), 3, 3, 3), n}, n
			},
			wantReason: ReplicaSetUpdatedReason, wantStatus: corev1.ConditionTrue, wantTransition: time.Hour,
			wantMessage: `ReplicaSet "d-new" is progressing.`, wantAvailable: MinimumReplicasAvailable,
		},
		{
			name: "timed out",
			old: &appsv1.DeploymentStatus{UpdatedReplicas: 1, Replicas: 4, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: []appsv1.DeploymentCondition{
				progressing(ReplicaSetUpdatedReason, corev1.ConditionTrue, 11*time.Minute, time.Hour)}},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 1, 0), 1, 0, 0)
				return []*appsv1.ReplicaSet{withStatus(rs("d-old", 3, time.Hour), 3, 3, 3), n}, n
			},
			wantReason: TimedOutReason, wantStatus: corev1.ConditionFalse, wantTransition: -1,
			wantMessage: `ReplicaSet "d-new" has timed out progressing.`, wantAvailable: MinimumReplicasAvailable,
		},
		{
			name: "within the deadline nothing changes",
			old: &appsv1.DeploymentStatus{UpdatedReplicas: 1, Replicas: 4, ReadyReplicas: 3, AvailableReplicas: 3, Conditions: []appsv1.DeploymentCondition{
				progressing(ReplicaSetUpdatedReason, corev1.ConditionTrue, 5*time.Minute, time.Hour)}},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 1, 0), 1, 0, 0)
				return []*appsv1.ReplicaSet{withStatus(rs("d-old", 3, time.Hour), 3, 3, 3), n}, n
			},
			wantReason: ReplicaSetUpdatedReason, wantStatus: corev1.ConditionTrue, wantTransition: time.Hour, wantAvailable: MinimumReplicasAvailable,
		},
		{
			name: "unavailable, replica failure copied",
			old:  &appsv1.DeploymentStatus{},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 4, 0), 1, 1, 1)
				n.Status.Conditions = []appsv1.ReplicaSetCondition{failure}
				return []*appsv1.ReplicaSet{n}, n
			},
			wantReason: ReplicaSetUpdatedReason, wantStatus: corev1.ConditionTrue, wantTransition: -1,
			wantAvailable: MinimumReplicasUnavailable, wantFailure: true,
		},
		{
			name: "no progress deadline",
			old:  &appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{progressing(ReplicaSetUpdatedReason, corev1.ConditionTrue, time.Minute, time.Hour)}},
			rss: func() ([]*appsv1.ReplicaSet, *appsv1.ReplicaSet) {
				n := withStatus(rs("d-new", 4, 0), 4, 4, 4)
				return []*appsv1.ReplicaSet{n}, n
			},
			noDeadline: true, wantAvailable: MinimumReplicasAvailable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rolling(4, intstr.FromInt32(1), intstr.FromInt32(1))
			d.Status = *tt.old
			if tt.noDeadline {
				d.Spec.ProgressDeadlineSeconds = nil
			}
			all, newRS := tt.rss()
			s := rolloutStatus(all, newRS, d, now)
			c := getCondition(s, appsv1.DeploymentProgressing)
			switch {
			case tt.wantReason == "" && c != nil:
				t.Errorf("unexpected Progressing %+v", c)
			case tt.wantReason != "" && (c == nil || c.Reason != tt.wantReason || c.Status != tt.wantStatus):
				t.Errorf("Progressing %+v, want %s/%s", c, tt.wantReason, tt.wantStatus)
			case tt.wantReason != "":
				wantTransition := now
				if tt.wantTransition >= 0 {
					wantTransition = now.Add(-tt.wantTransition)
				}
				if !c.LastTransitionTime.Time.Equal(wantTransition) {
					t.Errorf("lastTransitionTime %v, want %v", c.LastTransitionTime, wantTransition)
				}
				if tt.wantMessage != "" && c.Message != tt.wantMessage {
					t.Errorf("message %q, want %q", c.Message, tt.wantMessage)
				}
			}
			if a := getCondition(s, appsv1.DeploymentAvailable); a == nil || a.Reason != tt.wantAvailable {
				t.Errorf("Available %+v, want %s", a, tt.wantAvailable)
			}
			f := getCondition(s, appsv1.DeploymentReplicaFailure)
			if (f != nil) != tt.wantFailure || (f != nil && f.Message != "exceeded quota") {
				t.Errorf("ReplicaFailure %+v, want %v", f, tt.wantFailure)
			}
		})
	}
}

func TestCalculateStatus(t *testing.T) {
	d := rolling(4, intstr.FromInt32(1), intstr.FromInt32(1))
	d.Generation = 7
	d.Status.CollisionCount = ptr.To[int32](2)
	newRS := withStatus(rs("new", 2, 0), 2, 1, 1)
	old := withStatus(rs("old", 3, time.Hour), 3, 3, 2)
	old.Status.TerminatingReplicas = ptr.To[int32](1)
	s := calculateStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, now)
	want := appsv1.DeploymentStatus{ObservedGeneration: 7, Replicas: 5, UpdatedReplicas: 2, ReadyReplicas: 4, AvailableReplicas: 3,
		UnavailableReplicas: 2, TerminatingReplicas: ptr.To[int32](1), CollisionCount: ptr.To[int32](2)}
	s.Conditions = nil
	if s.ObservedGeneration != want.ObservedGeneration || s.Replicas != want.Replicas || s.UpdatedReplicas != want.UpdatedReplicas ||
		s.ReadyReplicas != want.ReadyReplicas || s.AvailableReplicas != want.AvailableReplicas || s.UnavailableReplicas != want.UnavailableReplicas ||
		!ptr.Equal(s.TerminatingReplicas, want.TerminatingReplicas) || !ptr.Equal(s.CollisionCount, want.CollisionCount) {
		t.Errorf("status %+v, want %+v", s, want)
	}
	// A ReplicaSet that reports a status without terminating pods (an older controller) makes the count unknown.
	old.Status.TerminatingReplicas = nil
	if s := calculateStatus([]*appsv1.ReplicaSet{old, newRS}, newRS, d, now); s.TerminatingReplicas != nil {
		t.Errorf("terminatingReplicas %d, want unknown", *s.TerminatingReplicas)
	}
}

func TestSetCondition(t *testing.T) {
	s := &appsv1.DeploymentStatus{}
	first := newCondition(appsv1.DeploymentAvailable, corev1.ConditionFalse, MinimumReplicasUnavailable, "", now.Add(-time.Hour))
	setCondition(s, first)
	setCondition(s, newCondition(appsv1.DeploymentAvailable, corev1.ConditionFalse, MinimumReplicasUnavailable, "", now))
	if c := getCondition(*s, appsv1.DeploymentAvailable); !c.LastUpdateTime.Equal(&first.LastUpdateTime) {
		t.Error("an unchanged condition was rewritten")
	}
	setCondition(s, newCondition(appsv1.DeploymentAvailable, corev1.ConditionFalse, "Other", "", now))
	if c := getCondition(*s, appsv1.DeploymentAvailable); c.Reason != "Other" || !c.LastTransitionTime.Equal(&first.LastTransitionTime) || !c.LastUpdateTime.Time.Equal(now) {
		t.Errorf("same status, new reason: %+v", c)
	}
	setCondition(s, newCondition(appsv1.DeploymentAvailable, corev1.ConditionTrue, MinimumReplicasAvailable, "", now))
	if c := getCondition(*s, appsv1.DeploymentAvailable); !c.LastTransitionTime.Time.Equal(now) || len(s.Conditions) != 1 {
		t.Errorf("new status: %+v", s.Conditions)
	}
}

func TestRequeueForDeadline(t *testing.T) {
	d := rolling(4, intstr.FromInt32(1), intstr.FromInt32(1))
	d.Status.Conditions = []appsv1.DeploymentCondition{progressing(ReplicaSetUpdatedReason, corev1.ConditionTrue, 4*time.Minute, time.Hour)}
	incomplete := appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 1}
	if got := requeueForDeadline(d, incomplete, now); got != 6*time.Minute+time.Second {
		t.Errorf("requeue after %v, want 6m1s", got)
	}
	done := appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 4, AvailableReplicas: 4, ObservedGeneration: 1}
	if got := requeueForDeadline(d, done, now); got != 0 {
		t.Errorf("a complete rollout requeued after %v", got)
	}
	d.Status.Conditions[0].Reason = TimedOutReason
	if got := requeueForDeadline(d, incomplete, now); got != 0 {
		t.Errorf("a timed-out rollout requeued after %v", got)
	}
}
