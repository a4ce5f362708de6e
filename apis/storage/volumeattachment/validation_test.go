package volumeattachment

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validAttachment() *storagev1.VolumeAttachment {
	return &storagev1.VolumeAttachment{
		ObjectMeta: metav1.ObjectMeta{Name: "va", ResourceVersion: "1"},
		Spec: storagev1.VolumeAttachmentSpec{
			Attacher: "CSI.example.com",
			Source:   storagev1.VolumeAttachmentSource{PersistentVolumeName: ptr.To("pv-1")},
			NodeName: "node-1",
		},
	}
}

func inline() *corev1.PersistentVolumeSpec {
	return &corev1.PersistentVolumeSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		PersistentVolumeSource: corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{
			Driver: "csi.example.com", VolumeHandle: "h",
			NodePublishSecretRef: &corev1.SecretReference{Name: "s", Namespace: "ns"},
		}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.VolumeAttachment)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*storagev1.VolumeAttachment) {}},
		{name: "valid inline", mutate: func(va *storagev1.VolumeAttachment) {
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: inline()}
		}},
		{name: "attacher required", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Attacher = "" }, field: "spec.attacher", typ: field.ErrorTypeRequired},
		{name: "bad attacher", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Attacher = "a_b" }, field: "spec.attacher", typ: field.ErrorTypeInvalid},
		{name: "long attacher", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Attacher = strings.Repeat("a", 64) }, field: "spec.attacher", typ: field.ErrorTypeTooLong},
		{name: "no source", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Source = storagev1.VolumeAttachmentSource{} }, field: "spec.source", typ: field.ErrorTypeRequired},
		{name: "two sources", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Source.InlineVolumeSpec = inline() }, field: "spec.source", typ: field.ErrorTypeForbidden},
		{name: "empty pv name", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Source.PersistentVolumeName = ptr.To("") }, field: "spec.source.persistentVolumeName", typ: field.ErrorTypeRequired},
		{name: "bad pv name", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.Source.PersistentVolumeName = ptr.To("PV") }, field: "spec.source.persistentVolumeName", typ: field.ErrorTypeInvalid},
		{name: "node name required", mutate: func(va *storagev1.VolumeAttachment) { va.Spec.NodeName = "" }, field: "spec.nodeName", typ: field.ErrorTypeInvalid},
		{name: "long error message", mutate: func(va *storagev1.VolumeAttachment) {
			va.Status.AttachError = &storagev1.VolumeError{Message: strings.Repeat("x", 1025)}
		}, field: "status.attachError.message", typ: field.ErrorTypeTooLong},
		{name: "negative error code", mutate: func(va *storagev1.VolumeAttachment) {
			va.Status.DetachError = &storagev1.VolumeError{ErrorCode: ptr.To[int32](-1)}
		}, field: "status.detachError.errorCode", typ: field.ErrorTypeInvalid},
		{name: "inline needs csi", mutate: func(va *storagev1.VolumeAttachment) {
			spec := inline()
			spec.CSI, spec.NFS = nil, &corev1.NFSVolumeSource{Server: "s", Path: "/"}
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: spec}
		}, field: "spec.source.inlineVolumeSpec.csi", typ: field.ErrorTypeRequired},
		{name: "inline capacity", mutate: func(va *storagev1.VolumeAttachment) {
			spec := inline()
			spec.Capacity = corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: spec}
		}, field: "spec.source.inlineVolumeSpec.capacity", typ: field.ErrorTypeForbidden},
		{name: "inline two volume types", mutate: func(va *storagev1.VolumeAttachment) {
			spec := inline()
			spec.HostPath = &corev1.HostPathVolumeSource{Path: "/"}
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: spec}
		}, field: "spec.source.inlineVolumeSpec.csi", typ: field.ErrorTypeForbidden},
		{name: "inline secret namespace", mutate: func(va *storagev1.VolumeAttachment) {
			spec := inline()
			spec.CSI.NodePublishSecretRef.Namespace = ""
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: spec}
		}, field: "spec.source.inlineVolumeSpec.csi.nodePublishSecretRef.namespace", typ: field.ErrorTypeRequired},
		{name: "inline access modes", mutate: func(va *storagev1.VolumeAttachment) {
			spec := inline()
			spec.AccessModes = append(spec.AccessModes, corev1.ReadWriteOncePod)
			va.Spec.Source = storagev1.VolumeAttachmentSource{InlineVolumeSpec: spec}
		}, field: "spec.source.inlineVolumeSpec.accessModes", typ: field.ErrorTypeForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			va := validAttachment()
			tc.mutate(va)
			expectOne(t, Validate(va), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validAttachment()
	va := old.DeepCopy()
	va.Status.Attached = true
	expectOne(t, ValidateUpdate(va, old), "", "")
	va.Spec.NodeName = "node-2"
	errs := ValidateUpdate(va, old)
	if len(errs) != 1 || errs[0].Field != "spec" || errs[0].Type != field.ErrorTypeInvalid {
		t.Fatalf("want spec immutable, got %v", errs)
	}
}

func expectOne(t *testing.T, errs field.ErrorList, want string, typ field.ErrorType) {
	t.Helper()
	if want == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == want && e.Type == typ {
			return
		}
	}
	t.Fatalf("want %s error at %s, got %v", typ, want, errs)
}
