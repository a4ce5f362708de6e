package storageobjectinuseprotection

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"

	"github.com/skiff-sh/skiff/apis/admission/internal/admissiontest"
)

func TestAdmit(t *testing.T) {
	om := func(finalizers ...string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: "x", Finalizers: finalizers}
	}
	pv, pvc := corev1.SchemeGroupVersion.WithResource("persistentvolumes"), corev1.SchemeGroupVersion.WithResource("persistentvolumeclaims")
	vac := storagev1.SchemeGroupVersion.WithResource("volumeattributesclasses")
	tests := []struct {
		name     string
		resource schema.GroupVersionResource
		sub      string
		obj      runtime.Object
		want     []string
	}{
		{name: "pv", resource: pv, obj: &corev1.PersistentVolume{ObjectMeta: om()}, want: []string{PVProtectionFinalizer}},
		{name: "pvc", resource: pvc, obj: &corev1.PersistentVolumeClaim{ObjectMeta: om("a")}, want: []string{"a", PVCProtectionFinalizer}},
		{name: "vac", resource: vac, obj: &storagev1.VolumeAttributesClass{ObjectMeta: om()}, want: []string{VACProtectionFinalizer}},
		{name: "present once", resource: pvc, obj: &corev1.PersistentVolumeClaim{ObjectMeta: om(PVCProtectionFinalizer)}, want: []string{PVCProtectionFinalizer}},
		{name: "subresource", resource: pvc, sub: "status", obj: &corev1.PersistentVolumeClaim{ObjectMeta: om()}, want: nil},
		{name: "other resource", resource: corev1.SchemeGroupVersion.WithResource("configmaps"), obj: &corev1.ConfigMap{ObjectMeta: om()}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := New()
			if err := admissiontest.Run(p, admissiontest.Request{Op: admission.Create, Resource: tt.resource, Subresource: tt.sub, Object: tt.obj}); err != nil {
				t.Fatal(err)
			}
			got, _ := meta.Accessor(tt.obj)
			if diff := cmp.Diff(tt.want, got.GetFinalizers()); diff != "" {
				t.Errorf("finalizers (-want +got):\n%s", diff)
			}
		})
	}
	if New().Handles(admission.Update) {
		t.Error("handles updates; upstream acts on create only")
	}
}
