package rootcacert

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestRestore(t *testing.T) {
	r := &Reconciler{RootCA: []byte("PEM")}
	good := r.desired("ns")
	tests := []struct {
		name        string
		in          *corev1.ConfigMap
		wantChanged bool
		wantAnn     map[string]string
	}{
		{name: "as published", in: good, wantAnn: good.Annotations},
		{
			name: "other description kept when data is right",
			in: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{DescriptionAnnotation: "mine"}},
				Data: map[string]string{DataKey: "PEM"}},
			wantAnn: map[string]string{DescriptionAnnotation: "mine"},
		},
		{
			name: "data changed", in: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{"a": "b", DescriptionAnnotation: "mine"}},
				Data: map[string]string{DataKey: "other", "extra": "x"}},
			wantChanged: true, wantAnn: map[string]string{"a": "b", DescriptionAnnotation: Description},
		},
		{
			name: "annotation removed", in: &corev1.ConfigMap{Data: map[string]string{DataKey: "PEM"}},
			wantChanged: true, wantAnn: map[string]string{DescriptionAnnotation: Description},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in.DeepCopy()
			got, changed := r.restore(in)
			if changed != tt.wantChanged {
				t.Fatalf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if diff := cmp.Diff(map[string]string{DataKey: "PEM"}, got.Data); diff != "" && changed {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantAnn, got.Annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.in, in); diff != "" {
				t.Errorf("input modified (-before +after):\n%s", diff)
			}
		})
	}
}
