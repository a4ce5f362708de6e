package defaultstorageclass

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func class(name string, age time.Duration, annotations ...string) *storagev1.StorageClass {
	c := &storagev1.StorageClass{
		ObjectMeta:  metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(t0.Add(-age)), Annotations: map[string]string{}},
		Provisioner: "example.com/p",
	}
	for i := 0; i+1 < len(annotations); i += 2 {
		c.Annotations[annotations[i]] = annotations[i+1]
	}
	return c
}

func TestAdmit(t *testing.T) {
	fast := class("fast", time.Hour, IsDefaultAnnotation, "true")
	tests := []struct {
		name    string
		classes []runtime.Object
		pvc     *corev1.PersistentVolumeClaim
		want    *string
	}{
		{name: "no classes", pvc: &corev1.PersistentVolumeClaim{}, want: nil},
		{name: "no default", classes: []runtime.Object{class("slow", time.Hour)}, pvc: &corev1.PersistentVolumeClaim{}, want: nil},
		{name: "default", classes: []runtime.Object{class("slow", time.Hour), fast}, pvc: &corev1.PersistentVolumeClaim{}, want: ptr.To("fast")},
		{name: "false is not default", classes: []runtime.Object{class("slow", time.Hour, IsDefaultAnnotation, "false")}, pvc: &corev1.PersistentVolumeClaim{}, want: nil},
		{name: "beta annotation", classes: []runtime.Object{class("old", time.Hour, BetaIsDefaultAnnotation, "true")}, pvc: &corev1.PersistentVolumeClaim{}, want: ptr.To("old")},
		{
			name: "newest default wins", classes: []runtime.Object{fast, class("newer", time.Minute, IsDefaultAnnotation, "true")},
			pvc: &corev1.PersistentVolumeClaim{}, want: ptr.To("newer"),
		},
		{
			name: "same age: first by name", classes: []runtime.Object{class("b", time.Minute, IsDefaultAnnotation, "true"), class("a", time.Minute, IsDefaultAnnotation, "true")},
			pvc: &corev1.PersistentVolumeClaim{}, want: ptr.To("a"),
		},
		{name: "class given", classes: []runtime.Object{fast}, pvc: &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("slow")}}, want: ptr.To("slow")},
		{name: "empty class given", classes: []runtime.Object{fast}, pvc: &corev1.PersistentVolumeClaim{Spec: corev1.PersistentVolumeClaimSpec{StorageClassName: ptr.To("")}}, want: ptr.To("")},
		{
			name: "beta class annotation", classes: []runtime.Object{fast},
			pvc:  &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{betaClassAnnotation: "slow"}}},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			admissiontest.Init(t, p, tt.classes...)
			tt.pvc.Name, tt.pvc.Namespace = "claim", "ns"
			err := admissiontest.Run(p, admissiontest.Request{
				Op: admission.Create, Namespace: "ns", Object: tt.pvc,
				Resource: corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims"),
				Kind:     corev1.SchemeGroupVersion.WithKind("PersistentVolumeClaim"),
			})
			if err != nil {
				t.Fatal(err)
			}
			if !ptr.Equal(tt.pvc.Spec.StorageClassName, tt.want) {
				t.Errorf("storageClassName = %v, want %v", ptr.Deref(tt.pvc.Spec.StorageClassName, "<nil>"), ptr.Deref(tt.want, "<nil>"))
			}
		})
	}
}
