package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func scheme(t *testing.T) *runtime.Scheme {
	s := runtime.NewScheme()
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStorageClassDefaults(t *testing.T) {
	sc := &storagev1.StorageClass{}
	scheme(t).Default(sc)
	if *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimDelete || *sc.VolumeBindingMode != storagev1.VolumeBindingImmediate {
		t.Fatalf("got reclaimPolicy %v, volumeBindingMode %v", *sc.ReclaimPolicy, *sc.VolumeBindingMode)
	}
	sc = &storagev1.StorageClass{ReclaimPolicy: ptr.To(corev1.PersistentVolumeReclaimRetain), VolumeBindingMode: ptr.To(storagev1.VolumeBindingWaitForFirstConsumer)}
	scheme(t).Default(sc)
	if *sc.ReclaimPolicy != corev1.PersistentVolumeReclaimRetain || *sc.VolumeBindingMode != storagev1.VolumeBindingWaitForFirstConsumer {
		t.Fatal("set values must be kept")
	}
}

func TestCSIDriverDefaults(t *testing.T) {
	d := &storagev1.CSIDriver{}
	scheme(t).Default(d)
	s := d.Spec
	switch {
	case !*s.AttachRequired, *s.PodInfoOnMount, *s.StorageCapacity, *s.RequiresRepublish, *s.SELinuxMount, *s.PreventPodSchedulingIfMissing:
		t.Fatalf("bad boolean defaults: %+v", s)
	case *s.FSGroupPolicy != storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy:
		t.Fatalf("fsGroupPolicy = %v", *s.FSGroupPolicy)
	case len(s.VolumeLifecycleModes) != 1 || s.VolumeLifecycleModes[0] != storagev1.VolumeLifecyclePersistent:
		t.Fatalf("volumeLifecycleModes = %v", s.VolumeLifecycleModes)
	}
	d = &storagev1.CSIDriver{Spec: storagev1.CSIDriverSpec{AttachRequired: ptr.To(false), VolumeLifecycleModes: []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecycleEphemeral}}}
	scheme(t).Default(d)
	if *d.Spec.AttachRequired || d.Spec.VolumeLifecycleModes[0] != storagev1.VolumeLifecycleEphemeral {
		t.Fatal("set values must be kept")
	}
}
