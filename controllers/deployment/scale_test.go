package deployment

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestProportionalSizes(t *testing.T) {
	tests := []struct {
		name     string
		replicas int32
		surge    intstr.IntOrString
		rss      []*appsv1.ReplicaSet
		want     map[string]int32
	}{
		{
			// Mid-rollout at 10 replicas, surge 3 (13 pods), scaled to 20 (23 allowed).
			name: "scale up", replicas: 20, surge: intstr.FromInt32(3),
			rss:  []*appsv1.ReplicaSet{rs("old", 8, time.Hour, MaxReplicasAnnotation, "13"), rs("new", 5, time.Minute, MaxReplicasAnnotation, "13")},
			want: map[string]int32{"old": 14, "new": 9},
		},
		{
			name: "scale down", replicas: 5, surge: intstr.FromInt32(3),
			rss:  []*appsv1.ReplicaSet{rs("old", 8, time.Hour, MaxReplicasAnnotation, "13"), rs("new", 5, time.Minute, MaxReplicasAnnotation, "13")},
			want: map[string]int32{"old": 5, "new": 3},
		},
		{
			name: "scale to zero", replicas: 0, surge: intstr.FromInt32(3),
			rss:  []*appsv1.ReplicaSet{rs("old", 8, time.Hour, MaxReplicasAnnotation, "13"), rs("new", 5, time.Minute, MaxReplicasAnnotation, "13")},
			want: map[string]int32{"old": 0, "new": 0},
		},
		{
			// 1*4/3 rounds to 1 for each: the leftover goes to the newest of the largest.
			name: "leftover to the newest", replicas: 4, surge: intstr.FromInt32(0),
			rss: []*appsv1.ReplicaSet{rs("a", 1, 3*time.Hour, MaxReplicasAnnotation, "3"), rs("b", 1, 2*time.Hour, MaxReplicasAnnotation, "3"),
				rs("c", 1, time.Hour, MaxReplicasAnnotation, "3")},
			want: map[string]int32{"a": 1, "b": 1, "c": 2},
		},
		{
			// 3*2/4 = 1.5 rounds to 2 (-1) for both, one too many: the oldest largest gives the rest.
			name: "leftover from the oldest", replicas: 2, surge: intstr.FromInt32(0),
			rss:  []*appsv1.ReplicaSet{rs("a", 2, time.Hour, MaxReplicasAnnotation, "4"), rs("b", 2, time.Minute, MaxReplicasAnnotation, "4")},
			want: map[string]int32{"a": 1, "b": 1},
		},
		{
			name: "nothing to do", replicas: 10, surge: intstr.FromInt32(3),
			rss:  []*appsv1.ReplicaSet{rs("old", 8, time.Hour), rs("new", 5, time.Minute)},
			want: map[string]int32{"old": 8, "new": 5},
		},
		{
			// Without max-replicas the Deployment's status.replicas is the base.
			name: "no annotation", replicas: 4, surge: intstr.FromInt32(0),
			rss:  []*appsv1.ReplicaSet{rs("a", 1, time.Hour), rs("b", 1, time.Minute)},
			want: map[string]int32{"a": 2, "b": 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := rolling(tt.replicas, tt.surge, intstr.FromInt32(1))
			d.Status.Replicas = 2
			got := proportionalSizes(context.Background(), d, tt.rss)
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("%s: %d, want %d (all: %v)", name, got[name], want, got)
				}
			}
		})
	}
}

func TestFindActiveOrLatest(t *testing.T) {
	newRS := rs("new", 0, time.Minute)
	tests := []struct {
		name  string
		newRS *appsv1.ReplicaSet
		old   []*appsv1.ReplicaSet
		want  string // "" for nil
	}{
		{"nothing", nil, nil, ""},
		{"only the new one", newRS, nil, "new"},
		{"one active old", newRS, []*appsv1.ReplicaSet{rs("old", 3, time.Hour)}, "old"},
		{"none active: the newest old", nil, []*appsv1.ReplicaSet{rs("older", 0, 2*time.Hour), rs("old", 0, time.Hour)}, "old"},
		{"several active", rs("new", 1, time.Minute), []*appsv1.ReplicaSet{rs("old", 3, time.Hour)}, ""},
	}
	for _, tt := range tests {
		got := findActiveOrLatest(tt.newRS, tt.old)
		if (got == nil && tt.want != "") || (got != nil && got.Name != tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, got, tt.want)
		}
	}
}

func TestRevisions(t *testing.T) {
	rss := []*appsv1.ReplicaSet{rs("a", 0, 0, RevisionAnnotation, "3"), rs("b", 0, 0, RevisionAnnotation, "7"), rs("c", 0, 0, RevisionAnnotation, "x"), rs("d", 0, 0)}
	if got := maxRevision(rss); got != 7 {
		t.Errorf("maxRevision = %d, want 7", got)
	}
	if got := lastRevision(rss); got != 3 {
		t.Errorf("lastRevision = %d, want 3", got)
	}
}
