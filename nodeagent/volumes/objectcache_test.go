package volumes

import (
	"errors"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestObjectCache(t *testing.T) {
	notFound := apierrors.NewNotFound(schema.GroupResource{Resource: "configmaps"}, "x")
	boom := errors.New("connection refused")
	tests := []struct {
		name       string
		first      error         // what the first fetch returns
		after      time.Duration // when the second get comes
		wantFetch2 bool          // whether it fetches again
	}{
		{name: "hit within the TTL", after: 5 * time.Second},
		{name: "miss after the TTL", after: objectTTL, wantFetch2: true},
		{name: "NotFound is kept", first: notFound, after: time.Second},
		{name: "other errors are not kept", first: boom, after: time.Millisecond, wantFetch2: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktesting.NewFakeClock(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
			c := newObjectCache[string](clk, objectTTL)
			fetches := 0
			fetch := func(v string, err error) func() (string, error) {
				return func() (string, error) { fetches++; return v, err }
			}
			if _, err := c.get("ns/x", fetch("v1", tt.first)); err != tt.first {
				t.Fatalf("first get: %v", err)
			}
			clk.Step(tt.after)
			got, err := c.get("ns/x", fetch("v2", nil))
			if want := 1 + map[bool]int{true: 1}[tt.wantFetch2]; fetches != want {
				t.Errorf("fetches = %d, want %d", fetches, want)
			}
			switch {
			case tt.wantFetch2 && (got != "v2" || err != nil):
				t.Errorf("second get = %q, %v; want the fresh v2", got, err)
			case !tt.wantFetch2 && (got != "v1" || err != tt.first):
				t.Errorf("second get = %q, %v; want the cached v1, %v", got, err, tt.first)
			}
		})
	}
}

func TestObjectCacheSweepsExpired(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	c := newObjectCache[string](clk, objectTTL)
	for _, k := range []string{"a", "b", "c"} {
		_, _ = c.get(k, func() (string, error) { return k, nil })
	}
	clk.Step(objectTTL)
	_, _ = c.get("d", func() (string, error) { return "d", nil })
	if n := len(c.entries); n != 1 {
		t.Errorf("%d entries after the sweep, want only the fresh one", n)
	}
}
