package volumes

import (
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

func TestTokenNeedsRefresh(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	token := func(ttl time.Duration, exp time.Time) *authenticationv1.TokenRequest {
		return &authenticationv1.TokenRequest{
			Spec:   authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To(int64(ttl.Seconds()))},
			Status: authenticationv1.TokenRequestStatus{ExpirationTimestamp: metav1.NewTime(exp)},
		}
	}
	tests := []struct {
		name string
		tr   *authenticationv1.TokenRequest
		age  time.Duration
		want bool
	}{
		{name: "fresh", tr: token(time.Hour, issued.Add(time.Hour)), age: 10 * time.Minute},
		{name: "just under 80%", tr: token(time.Hour, issued.Add(time.Hour)), age: 47 * time.Minute},
		{name: "past 80%", tr: token(time.Hour, issued.Add(time.Hour)), age: 49 * time.Minute, want: true},
		{name: "expired", tr: token(time.Hour, issued.Add(time.Hour)), age: 2 * time.Hour, want: true},
		{name: "year-long token is renewed after a day", tr: token(365*24*time.Hour, issued.Add(365*24*time.Hour)), age: 25 * time.Hour, want: true},
		{name: "year-long token kept for a day", tr: token(365*24*time.Hour, issued.Add(365*24*time.Hour)), age: 23 * time.Hour},
		{name: "no expiration seconds", tr: &authenticationv1.TokenRequest{}, age: 100 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTokens(nil, clocktesting.NewFakeClock(issued.Add(tt.age)))
			if got := c.needsRefresh(tt.tr); got != tt.want {
				t.Errorf("needsRefresh = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTokenForget(t *testing.T) {
	c := newTokens(nil, clocktesting.NewFakeClock(time.Now()))
	c.cache["a"] = &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{UID: "pod-a"}}}
	c.cache["b"] = &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: &authenticationv1.BoundObjectReference{UID: "pod-b"}}}
	c.forget("pod-a")
	if _, ok := c.cache["a"]; ok || len(c.cache) != 1 {
		t.Errorf("cache after forget: %v", c.cache)
	}
}
