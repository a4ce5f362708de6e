package defaults

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/utils/ptr"
)

// SetDefaults_StorageClass defaults reclaimPolicy to Delete and volumeBindingMode to Immediate.
func SetDefaults_StorageClass(obj *storagev1.StorageClass) {
	if obj.ReclaimPolicy == nil {
		obj.ReclaimPolicy = ptr.To(corev1.PersistentVolumeReclaimDelete)
	}
	if obj.VolumeBindingMode == nil {
		obj.VolumeBindingMode = ptr.To(storagev1.VolumeBindingImmediate)
	}
}

// SetDefaults_CSIDriver sets upstream's defaults for every optional CSIDriver setting (those
// behind feature gates as the gates stand by default in v1.37: SELinuxMountReadWriteOncePod
// and VolumeLimitScaling are on).
func SetDefaults_CSIDriver(obj *storagev1.CSIDriver) {
	spec := &obj.Spec
	if spec.AttachRequired == nil {
		spec.AttachRequired = ptr.To(true)
	}
	if spec.PodInfoOnMount == nil {
		spec.PodInfoOnMount = ptr.To(false)
	}
	if spec.StorageCapacity == nil {
		spec.StorageCapacity = ptr.To(false)
	}
	if spec.FSGroupPolicy == nil {
		spec.FSGroupPolicy = ptr.To(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy)
	}
	if len(spec.VolumeLifecycleModes) == 0 {
		spec.VolumeLifecycleModes = append(spec.VolumeLifecycleModes, storagev1.VolumeLifecyclePersistent)
	}
	if spec.RequiresRepublish == nil {
		spec.RequiresRepublish = ptr.To(false)
	}
	if spec.SELinuxMount == nil {
		spec.SELinuxMount = ptr.To(false)
	}
	if spec.PreventPodSchedulingIfMissing == nil {
		spec.PreventPodSchedulingIfMissing = ptr.To(false)
	}
}
