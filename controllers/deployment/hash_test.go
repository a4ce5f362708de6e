package deployment

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestComputeHash(t *testing.T) {
	base := rolling(1, intstrZero, intstrZero).Spec.Template
	other := *base.DeepCopy()
	other.Spec.Containers[0].Image = "j"
	same := *base.DeepCopy() // equal values in other memory
	tests := []struct {
		name      string
		a, b      corev1.PodTemplateSpec
		ca, cb    *int32
		wantEqual bool
	}{
		{"deterministic", base, same, nil, nil, true},
		{"template matters", base, other, nil, nil, false},
		{"collision count matters", base, base, nil, ptr.To[int32](1), false},
		{"collision counts differ", base, base, ptr.To[int32](1), ptr.To[int32](2), false},
		{"collision count equal", base, same, ptr.To[int32](3), ptr.To[int32](3), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := ComputeHash(&tt.a, tt.ca), ComputeHash(&tt.b, tt.cb)
			if (a == b) != tt.wantEqual {
				t.Errorf("hashes %s and %s, want equal %v", a, b, tt.wantEqual)
			}
			if strings.ContainsAny(a, "aeiou013") {
				t.Errorf("hash %s is not safe-encoded", a)
			}
		})
	}
}

func TestReplicaSetName(t *testing.T) {
	if got := replicaSetName("web", "abc"); got != "web-abc" {
		t.Errorf("got %s", got)
	}
	long := strings.Repeat("d", 260)
	if got := replicaSetName(long, "5d8f9c7b6"); len(got) != 253 || !strings.HasSuffix(got, "-5d8f9c7b6") {
		t.Errorf("name of %d chars: %s", len(got), got)
	}
}
