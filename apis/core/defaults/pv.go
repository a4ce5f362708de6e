package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_PersistentVolume defaults the phase to Pending, the reclaim policy to Retain and
// the volume mode to Filesystem.
func SetDefaults_PersistentVolume(obj *corev1.PersistentVolume) {
	if obj.Status.Phase == "" {
		obj.Status.Phase = corev1.VolumePending
	}
	if obj.Spec.PersistentVolumeReclaimPolicy == "" {
		obj.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimRetain
	}
	if obj.Spec.VolumeMode == nil {
		mode := corev1.PersistentVolumeFilesystem
		obj.Spec.VolumeMode = &mode
	}
}
