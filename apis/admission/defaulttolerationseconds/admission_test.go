package defaulttolerationseconds

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func TestAdmit(t *testing.T) {
	notReady := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	unreachable := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](300)}
	custom := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](60)}
	other := corev1.Toleration{Key: "foo", Operator: corev1.TolerationOpEqual, Value: "bar", Effect: corev1.TaintEffectNoSchedule}
	noSchedule := corev1.Toleration{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}
	all := corev1.Toleration{Operator: corev1.TolerationOpExists}
	anyEffect := corev1.Toleration{Key: corev1.TaintNodeUnreachable, Operator: corev1.TolerationOpExists}

	tests := []struct {
		name     string
		op       admission.Operation
		sub      string
		in, want []corev1.Toleration
	}{
		{name: "none", in: nil, want: []corev1.Toleration{notReady, unreachable}},
		{name: "other tolerations kept first", in: []corev1.Toleration{other}, want: []corev1.Toleration{other, notReady, unreachable}},
		{name: "own not-ready kept", in: []corev1.Toleration{custom}, want: []corev1.Toleration{custom, unreachable}},
		{name: "NoSchedule does not count", in: []corev1.Toleration{noSchedule}, want: []corev1.Toleration{noSchedule, notReady, unreachable}},
		{name: "tolerate everything", in: []corev1.Toleration{all}, want: []corev1.Toleration{all}},
		{name: "empty effect counts", in: []corev1.Toleration{anyEffect}, want: []corev1.Toleration{anyEffect, notReady}},
		{name: "update too", op: admission.Update, in: nil, want: []corev1.Toleration{notReady, unreachable}},
		{name: "subresource ignored", op: admission.Update, sub: "status", in: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p)
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Spec: corev1.PodSpec{Tolerations: tt.in}}
			op := tt.op
			if op == "" {
				op = admission.Create
			}
			r := admissiontest.Request{
				Op: op, Namespace: "ns", Object: pod, Subresource: tt.sub,
				Resource: corev1.SchemeGroupVersion.WithResource("pods"), Kind: corev1.SchemeGroupVersion.WithKind("Pod"),
			}
			if op == admission.Update {
				r.OldObject = pod.DeepCopy()
			}
			if err := admissiontest.Run(p, r); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, pod.Spec.Tolerations); diff != "" {
				t.Errorf("tolerations (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOtherResourcesIgnored(t *testing.T) {
	p := New()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}}
	err := admissiontest.Run(p, admissiontest.Request{
		Op: admission.Create, Object: node,
		Resource: corev1.SchemeGroupVersion.WithResource("nodes"), Kind: corev1.SchemeGroupVersion.WithKind("Node"),
	})
	if err != nil {
		t.Fatal(err)
	}
}
