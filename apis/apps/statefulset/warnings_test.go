package statefulset

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

func TestTemplateAndClaimWarnings(t *testing.T) {
	const betaOS = `spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead`
	const history = "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"
	ss := validStatefulSet()
	ss.Spec.Template.Spec.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
	ss.Spec.RevisionHistoryLimit = ptr.To[int32](-1)
	ss.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{Spec: corev1.PersistentVolumeClaimSpec{
		Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1500m")}},
	}}}
	want := []string{
		betaOS,
		`spec.volumeClaimTemplates[0].resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`,
		history,
	}
	if got := Strategy.WarningsOnCreate(context.Background(), ss); !slices.Equal(got, want) {
		t.Errorf("create warnings = %q\nwant %q", got, want)
	}
	// On update upstream's claim paths carry a "Spec" segment; the template is only checked
	// when the generation changed.
	claim := `spec.volumeClaimTemplates[0].Spec.resources.requests[storage]: fractional byte value "1500m" is invalid, must be an integer`
	old := ss.DeepCopy()
	if got := Strategy.WarningsOnUpdate(context.Background(), ss, old); !slices.Equal(got, []string{claim, history}) {
		t.Errorf("update warnings = %q", got)
	}
	ss.Generation = old.Generation + 1
	if got := Strategy.WarningsOnUpdate(context.Background(), ss, old); !slices.Equal(got, []string{betaOS, claim, history}) {
		t.Errorf("update warnings after a spec change = %q", got)
	}
}
