package replicationcontroller

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestWarnings(t *testing.T) {
	ctx := context.Background()
	rc := validRC()
	rc.Name = "warn.rc"
	rc.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{{Name: "B", Value: "1"}, {Name: "B", Value: "2"}}
	want := []string{
		`metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [must not contain dots]`,
		`spec.template.spec.containers[0].env[1]: hides previous definition of "B", which may be dropped when using apply`,
	}
	got := Strategy.WarningsOnCreate(ctx, rc)
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("create warnings %q", got)
	}

	old := rc.DeepCopy()
	old.Generation = 1
	upd := old.DeepCopy()
	if w := Strategy.WarningsOnUpdate(ctx, upd, old); len(w) != 0 {
		t.Errorf("unchanged generation: %q", w)
	}
	// Upstream warns about the old template when the generation changed.
	upd.Generation = 2
	upd.Spec.Template.Spec.Containers[0].Env = nil
	if w := Strategy.WarningsOnUpdate(ctx, upd, old); len(w) != 1 || w[0] != want[1] {
		t.Errorf("update warnings %q", w)
	}
}
