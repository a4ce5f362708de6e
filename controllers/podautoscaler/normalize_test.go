package podautoscaler

import (
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/utils/ptr"
)

func TestLimitWithRules(t *testing.T) {
	tests := []struct {
		name                         string
		current, desired, minR, maxR int32
		want                         int32
		wantReason                   string
	}{
		{"within", 3, 5, 1, 10, 5, "DesiredWithinRange"},
		{"above max", 3, 20, 1, 5, 5, "TooManyReplicas"},
		{"below min", 3, 1, 2, 10, 2, "TooFewReplicas"},
		{"scale up limit doubles", 3, 20, 1, 50, 6, "ScaleUpLimit"},
		{"scale up limit at least 4", 1, 20, 1, 50, 4, "ScaleUpLimit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reason, _ := limitWithRules(tt.current, tt.desired, tt.minR, tt.maxR)
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("limitWithRules = %d %s, want %d %s", got, reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestStabilizeLegacy(t *testing.T) {
	h := &history{}
	if got := h.stabilize(5, now); got != 5 {
		t.Fatalf("first = %d", got)
	}
	if got := h.stabilize(2, now.Add(time.Minute)); got != 5 {
		t.Errorf("within 5 minutes of a 5: %d, want 5", got)
	}
	if got := h.stabilize(2, now.Add(6*time.Minute)); got != 2 {
		t.Errorf("after the window: %d, want 2", got)
	}
	if len(h.recommendations) != 2 {
		t.Errorf("old samples should be reused: %v", h.recommendations)
	}
}

func TestStabilizeWithBehavior(t *testing.T) {
	b := withDefaults(&autoscalingv2.HorizontalPodAutoscalerBehavior{
		ScaleUp: &autoscalingv2.HPAScalingRules{StabilizationWindowSeconds: ptr.To[int32](60)},
	})
	if *b.ScaleDown.StabilizationWindowSeconds != 300 || len(b.ScaleUp.Policies) != 2 {
		t.Fatalf("defaults = %+v %+v", b.ScaleDown, b.ScaleUp)
	}
	h := &history{recommendations: []recommendation{{3, now.Add(-30 * time.Second)}}}
	got, reason, _ := h.stabilizeWithBehavior(b, 3, 8, now)
	if got != 3 || reason != "ScaleUpStabilized" {
		t.Errorf("scale up inside the up window = %d %s, want 3 ScaleUpStabilized", got, reason)
	}
	h = &history{recommendations: []recommendation{{6, now.Add(-2 * time.Minute)}}}
	got, reason, _ = h.stabilizeWithBehavior(b, 6, 2, now)
	if got != 6 || reason != "ScaleDownStabilized" {
		t.Errorf("scale down inside the down window = %d %s, want 6", got, reason)
	}
	h = &history{recommendations: []recommendation{{6, now.Add(-10 * time.Minute)}}}
	if got, _, _ = h.stabilizeWithBehavior(b, 6, 2, now); got != 2 {
		t.Errorf("after the window = %d, want 2", got)
	}
}

func TestLimitWithBehavior(t *testing.T) {
	pods := func(v, period int32) autoscalingv2.HPAScalingPolicy {
		return autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.PodsScalingPolicy, Value: v, PeriodSeconds: period}
	}
	percent := func(v, period int32) autoscalingv2.HPAScalingPolicy {
		return autoscalingv2.HPAScalingPolicy{Type: autoscalingv2.PercentScalingPolicy, Value: v, PeriodSeconds: period}
	}
	rules := func(sel autoscalingv2.ScalingPolicySelect, p ...autoscalingv2.HPAScalingPolicy) *autoscalingv2.HPAScalingRules {
		return &autoscalingv2.HPAScalingRules{SelectPolicy: &sel, Policies: p}
	}
	tests := []struct {
		name                         string
		up, down                     *autoscalingv2.HPAScalingRules
		h                            history
		current, desired, minR, maxR int32
		want                         int32
		wantReason                   string
	}{
		{"default up: max of +4 and +100%", nil, nil, history{}, 10, 50, 1, 100, 20, "ScaleUpLimit"},
		{"min policy", rules(autoscalingv2.MinChangePolicySelect, pods(4, 60), percent(100, 60)), nil, history{}, 10, 50, 1, 100, 14, "ScaleUpLimit"},
		{"past scale up counts", rules(autoscalingv2.MaxChangePolicySelect, pods(2, 60)), nil,
			history{ups: []scaleEvent{{change: 2, at: now.Add(-30 * time.Second)}}}, 10, 50, 1, 100, 10, "ScaleUpLimit"},
		{"disabled up", rules(autoscalingv2.DisabledPolicySelect), nil, history{}, 10, 50, 1, 100, 10, "ScaleUpLimit"},
		{"max wins over rate", nil, nil, history{}, 10, 50, 1, 12, 12, "TooManyReplicas"},
		{"default down: all at once", nil, nil, history{}, 10, 1, 1, 100, 1, "DesiredWithinRange"},
		{"down percent", nil, rules(autoscalingv2.MaxChangePolicySelect, percent(10, 60)), history{}, 10, 1, 1, 100, 9, "ScaleDownLimit"},
		{"min wins", nil, nil, history{}, 10, 1, 3, 100, 3, "TooFewReplicas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := withDefaults(&autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: tt.up, ScaleDown: tt.down})
			got, reason, _ := tt.h.limitWithBehavior(b, tt.current, tt.desired, tt.minR, tt.maxR, now)
			if got != tt.want || reason != tt.wantReason {
				t.Errorf("limitWithBehavior = %d %s, want %d %s", got, reason, tt.want, tt.wantReason)
			}
		})
	}
}

func TestRecordScale(t *testing.T) {
	b := withDefaults(&autoscalingv2.HorizontalPodAutoscalerBehavior{})
	h := &history{}
	h.recordScale(b, 2, 5, now)
	h.recordScale(b, 5, 4, now)
	h.recordScale(b, 4, 8, now.Add(time.Minute)) // the first up event is outdated (15s policies): reused
	if len(h.ups) != 1 || h.ups[0].change != 4 || len(h.downs) != 1 || h.downs[0].change != 1 {
		t.Errorf("ups %v downs %v", h.ups, h.downs)
	}
	h.recordScale(nil, 1, 2, now)
	if len(h.ups) != 1 {
		t.Error("no behavior: nothing recorded")
	}
}
