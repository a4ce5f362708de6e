package daemonset

import (
	"context"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

const betaOSWarning = `spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`

func TestWarnings(t *testing.T) {
	ds := validDaemonSet()
	ds.Name = "agent.v1" // no name warning for DaemonSets
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
	if got := Strategy.WarningsOnCreate(context.Background(), ds); !slices.Equal(got, []string{betaOSWarning}) {
		t.Errorf("create warnings = %q, want %q", got, betaOSWarning)
	}
	ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "1"}
	old := ds.DeepCopy()
	ds.Generation = 5 // only the template generation counts
	if got := Strategy.WarningsOnUpdate(context.Background(), ds, old); len(got) != 0 {
		t.Errorf("update without a template change warned: %q", got)
	}
	ds.Annotations = map[string]string{appsv1.DeprecatedTemplateGeneration: "2"}
	if got := Strategy.WarningsOnUpdate(context.Background(), ds, old); !slices.Equal(got, []string{betaOSWarning}) {
		t.Errorf("update warnings = %q, want %q", got, betaOSWarning)
	}
}
