package taintnodesbycondition

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func TestAdmit(t *testing.T) {
	notReady := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
	other := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	notReadyExecute := corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}
	withValue := corev1.Taint{Key: corev1.TaintNodeNotReady, Value: "x", Effect: corev1.TaintEffectNoSchedule}
	tests := []struct {
		name     string
		sub      string
		in, want []corev1.Taint
	}{
		{name: "untainted", want: []corev1.Taint{notReady}},
		{name: "other taint", in: []corev1.Taint{other}, want: []corev1.Taint{other, notReady}},
		{name: "NoExecute is another taint", in: []corev1.Taint{notReadyExecute}, want: []corev1.Taint{notReadyExecute, notReady}},
		{name: "present (any value)", in: []corev1.Taint{withValue}, want: []corev1.Taint{withValue}},
		{name: "status ignored", sub: "status", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Spec: corev1.NodeSpec{Taints: tt.in}}
			err := admissiontest.Run(New(), admissiontest.Request{
				Op: admission.Create, Object: node, Subresource: tt.sub,
				Resource: corev1.SchemeGroupVersion.WithResource("nodes"), Kind: corev1.SchemeGroupVersion.WithKind("Node"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, node.Spec.Taints); diff != "" {
				t.Errorf("taints (-want +got):\n%s", diff)
			}
		})
	}
	if New().Handles(admission.Update) {
		t.Error("handles updates; upstream acts on create only")
	}
}
