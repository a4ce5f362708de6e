package validation

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func TestIntOrPercent(t *testing.T) {
	path := field.NewPath("x")
	tests := []struct {
		v            intstr.IntOrString
		value        int
		valid, le100 bool
	}{
		{intstr.FromInt32(3), 3, true, true},
		{intstr.FromInt32(-1), -1, false, true},
		{intstr.FromString("25%"), 25, true, true},
		{intstr.FromString("101%"), 101, true, false},
		{intstr.FromString("25"), 25, false, true}, // IntValue parses the string, as upstream relies on
		{intstr.FromString("-5%"), 0, false, true},
	}
	for _, tt := range tests {
		if got := IntOrPercentValue(tt.v); got != tt.value {
			t.Errorf("%s: value %d, want %d", tt.v.String(), got, tt.value)
		}
		if errs := ValidatePositiveIntOrPercent(tt.v, path); (len(errs) == 0) != tt.valid {
			t.Errorf("%s: errors %v", tt.v.String(), errs)
		}
		if errs := IsNotMoreThan100Percent(tt.v, path); (len(errs) == 0) != tt.le100 {
			t.Errorf("%s: errors %v", tt.v.String(), errs)
		}
	}
}

func TestCollisionCount(t *testing.T) {
	path := field.NewPath("status", "collisionCount")
	for _, tt := range []struct {
		count, old *int32
		bad        bool
	}{
		{nil, nil, false}, {ptr.To[int32](1), nil, false}, {ptr.To[int32](2), ptr.To[int32](1), false},
		{ptr.To[int32](1), ptr.To[int32](2), true}, {nil, ptr.To[int32](1), true},
	} {
		if errs := ValidateCollisionCountNotDecremented(tt.count, tt.old, path); (len(errs) > 0) != tt.bad {
			t.Errorf("%v -> %v: %v", tt.old, tt.count, errs)
		}
	}
}

func TestDNS1123LabelNameWarning(t *testing.T) {
	if w := DNS1123LabelNameWarning("web"); w != nil {
		t.Errorf("warning for a label: %v", w)
	}
	w := DNS1123LabelNameWarning("web.example")
	if len(w) != 1 || w[0] != "metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]" {
		t.Errorf("warnings = %q", w)
	}
}
