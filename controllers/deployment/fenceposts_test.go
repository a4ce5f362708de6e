package deployment

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

var intstrZero = intstr.FromInt32(0)

func TestResolveFenceposts(t *testing.T) {
	tests := []struct {
		surge, unavailable     intstr.IntOrString
		desired                int32
		wantSurge, wantUnavail int32
	}{
		{intstr.FromString("25%"), intstr.FromString("25%"), 10, 3, 2}, // surge rounds up, unavailability down
		{intstr.FromString("25%"), intstr.FromString("25%"), 3, 1, 0},
		{intstr.FromInt32(0), intstr.FromInt32(0), 5, 0, 1}, // both 0: one may be unavailable
		{intstr.FromString("0%"), intstr.FromString("10%"), 5, 0, 1},
		{intstr.FromInt32(2), intstr.FromString("50%"), 5, 2, 2},
		{intstr.FromString("100%"), intstr.FromInt32(0), 0, 0, 1},
	}
	for _, tt := range tests {
		s, u, err := resolveFenceposts(&tt.surge, &tt.unavailable, tt.desired)
		if err != nil || s != tt.wantSurge || u != tt.wantUnavail {
			t.Errorf("resolveFenceposts(%s, %s, %d) = %d, %d, %v; want %d, %d", tt.surge.String(), tt.unavailable.String(), tt.desired, s, u, err, tt.wantSurge, tt.wantUnavail)
		}
	}
	bad := intstr.FromString("abc")
	if _, _, err := resolveFenceposts(&bad, nil, 3); err == nil {
		t.Error("an invalid value resolved")
	}
}

func TestMaxSurgeAndUnavailable(t *testing.T) {
	tests := []struct {
		name                   string
		d                      *appsv1.Deployment
		wantSurge, wantUnavail int32
	}{
		{"rolling", rolling(10, intstr.FromString("30%"), intstr.FromInt32(2)), 3, 2},
		{"unavailability capped at replicas", rolling(2, intstrZero, intstr.FromInt32(5)), 0, 2},
		{"no replicas: none unavailable", rolling(0, intstrZero, intstr.FromInt32(1)), 0, 0},
		{"recreate", func() *appsv1.Deployment {
			d := rolling(3, intstr.FromInt32(1), intstr.FromInt32(1))
			d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
			return d
		}(), 0, 0},
	}
	for _, tt := range tests {
		if s, u := maxSurge(tt.d), maxUnavailable(tt.d); s != tt.wantSurge || u != tt.wantUnavail {
			t.Errorf("%s: surge %d unavailable %d, want %d %d", tt.name, s, u, tt.wantSurge, tt.wantUnavail)
		}
	}
}

func TestNewRSReplicas(t *testing.T) {
	tests := []struct {
		name       string
		d          *appsv1.Deployment
		old, newRS int32
		want       int32
	}{
		{"surge room", rolling(10, intstr.FromInt32(2), intstrZero), 10, 0, 2},
		{"no room", rolling(10, intstr.FromInt32(2), intstrZero), 10, 2, 2},
		{"up to spec.replicas only", rolling(3, intstr.FromString("100%"), intstrZero), 0, 1, 3},
		{"percent surge rounds up", rolling(5, intstr.FromString("10%"), intstrZero), 5, 0, 1},
	}
	for _, tt := range tests {
		newRS := rs("new", tt.newRS, 0)
		got, err := newRSReplicas(tt.d, []*appsv1.ReplicaSet{rs("old", tt.old, 1), newRS}, newRS)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.name, got, err, tt.want)
		}
	}
	d := rolling(4, intstrZero, intstrZero)
	d.Spec.Strategy = appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	if got, _ := newRSReplicas(d, nil, rs("new", 0, 0)); got != 4 {
		t.Errorf("recreate: %d, want 4", got)
	}
}

func TestOldScaleDownRoom(t *testing.T) {
	// 10 replicas, maxUnavailable 2: 8 must stay available.
	d := rolling(10, intstr.FromInt32(3), intstr.FromInt32(2))
	tests := []struct {
		name       string
		old, newRS *appsv1.ReplicaSet
		want       int32
	}{
		{"new pods unavailable", withStatus(rs("old", 10, 2), 10, 10, 10), withStatus(rs("new", 3, 1), 3, 0, 0), 10 + 3 - 8 - 3},
		{"new pods available", withStatus(rs("old", 10, 2), 10, 10, 10), withStatus(rs("new", 3, 1), 3, 3, 3), 10 + 3 - 8},
	}
	for _, tt := range tests {
		if got := oldScaleDownRoom(d, []*appsv1.ReplicaSet{tt.old, tt.newRS}, tt.newRS); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}
