package job

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

func TestTemplateWarnings(t *testing.T) {
	const fractional = `spec.template.spec.containers[0].resources.requests[memory]: fractional byte value "1500m" is invalid, must be an integer`
	j := newJob()
	j.Spec.Template.Spec.Containers[0].Resources.Requests = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("1500m")}
	if got := Strategy.WarningsOnCreate(context.Background(), j); !slices.Equal(got, []string{fractional}) {
		t.Errorf("create warnings = %q, want %q", got, fractional)
	}
	old := j.DeepCopy()
	if got := Strategy.WarningsOnUpdate(context.Background(), j, old); len(got) != 0 {
		t.Errorf("update without a generation change warned: %q", got)
	}
	j.Generation = old.Generation + 1
	if got := Strategy.WarningsOnUpdate(context.Background(), j, old); !slices.Equal(got, []string{fractional}) {
		t.Errorf("update warnings = %q, want %q", got, fractional)
	}
}
