package podtemplate

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestWarnings(t *testing.T) {
	ctx := context.Background()
	tpl := &corev1.PodTemplate{
		ObjectMeta: metav1.ObjectMeta{Name: "tpl", Namespace: "ns", Generation: 1},
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](-1),
			Containers:                    []corev1.Container{{Name: "app", Image: "nginx"}},
		}},
	}
	want := "template.spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
	if w := Strategy.WarningsOnCreate(ctx, tpl); len(w) != 1 || w[0] != want {
		t.Errorf("create warnings %q", w)
	}
	upd := tpl.DeepCopy()
	if w := Strategy.WarningsOnUpdate(ctx, upd, tpl); len(w) != 0 {
		t.Errorf("same generation: %q", w)
	}
	upd.Generation = 2
	if w := Strategy.WarningsOnUpdate(ctx, upd, tpl); len(w) != 1 || w[0] != want {
		t.Errorf("update warnings %q", w)
	}
}
