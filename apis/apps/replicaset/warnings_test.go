package replicaset

import (
	"context"
	"slices"
	"testing"
)

const betaOSWarning = `spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`

func TestWarnings(t *testing.T) {
	d := validReplicaSet()
	d.Name = "web.v1"
	d.Spec.Template.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
	got := Strategy.WarningsOnCreate(context.Background(), d)
	if len(got) != 2 || !slices.Contains(got, betaOSWarning) {
		t.Errorf("create warnings = %q, want the name warning and %q", got, betaOSWarning)
	}
	old := d.DeepCopy()
	if got := Strategy.WarningsOnUpdate(context.Background(), d, old); len(got) != 0 {
		t.Errorf("update without a generation change warned: %q", got)
	}
	d.Generation = old.Generation + 1
	if got := Strategy.WarningsOnUpdate(context.Background(), d, old); !slices.Equal(got, []string{betaOSWarning}) {
		t.Errorf("update warnings = %q, want %q", got, betaOSWarning)
	}
}
