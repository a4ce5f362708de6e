package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_PersistentVolumeClaim defaults the phase to Pending.
func SetDefaults_PersistentVolumeClaim(obj *corev1.PersistentVolumeClaim) {
	if obj.Status.Phase == "" {
		obj.Status.Phase = corev1.ClaimPending
	}
}

// SetDefaults_PersistentVolumeClaimSpec defaults the volume mode to Filesystem (also in the
// claim templates of other kinds).
func SetDefaults_PersistentVolumeClaimSpec(obj *corev1.PersistentVolumeClaimSpec) {
	if obj.VolumeMode == nil {
		mode := corev1.PersistentVolumeFilesystem
		obj.VolumeMode = &mode
	}
}
