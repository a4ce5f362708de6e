package expectations

import (
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"
)

func TestExpectations(t *testing.T) {
	tests := []struct {
		name       string
		adds, dels int
		observe    []bool // true: an add observed
		advance    time.Duration
		want       bool
	}{
		{name: "nothing expected", want: true},
		{name: "adds pending", adds: 2, observe: []bool{true}, want: false},
		{name: "adds met", adds: 2, observe: []bool{true, true}, want: true},
		{name: "dels pending", dels: 1, observe: []bool{true}, want: false},
		{name: "mixed met", adds: 1, dels: 1, observe: []bool{false, true}, want: true},
		{name: "expired", adds: 3, advance: ttl + time.Second, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clocktesting.NewFakePassiveClock(time.Now())
			e := New(clk)
			if tt.adds > 0 || tt.dels > 0 {
				e.Expect("ns/a", tt.adds, tt.dels)
			}
			for _, add := range tt.observe {
				e.Observed("ns/a", add)
			}
			clk.SetTime(clk.Now().Add(tt.advance))
			if got := e.Satisfied("ns/a"); got != tt.want {
				t.Errorf("Satisfied = %v, want %v", got, tt.want)
			}
			e.Forget("ns/a")
			if !e.Satisfied("ns/a") {
				t.Error("not satisfied after Forget")
			}
		})
	}
}
