package defaults

import (
	"reflect"

	corev1 "k8s.io/api/core/v1"
)

// SetDefaults_Volume makes a volume without a source an emptyDir and defaults the pull policy
// of image volumes as for containers.
func SetDefaults_Volume(obj *corev1.Volume) {
	if allPtrFieldsNil(&obj.VolumeSource) {
		obj.VolumeSource = corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}
	}
	if obj.Image != nil && obj.Image.PullPolicy == "" {
		obj.Image.PullPolicy = pullPolicyFor(obj.Image.Reference)
	}
}

// allPtrFieldsNil reports whether every pointer field of the struct obj points to is nil.
func allPtrFieldsNil(obj any) bool {
	v := reflect.ValueOf(obj).Elem()
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			return false
		}
	}
	return true
}

// SetDefaults_SecretVolumeSource defaults the file mode to 0644.
func SetDefaults_SecretVolumeSource(obj *corev1.SecretVolumeSource) {
	if obj.DefaultMode == nil {
		mode := corev1.SecretVolumeSourceDefaultMode
		obj.DefaultMode = &mode
	}
}

// SetDefaults_ConfigMapVolumeSource defaults the file mode to 0644.
func SetDefaults_ConfigMapVolumeSource(obj *corev1.ConfigMapVolumeSource) {
	if obj.DefaultMode == nil {
		mode := corev1.ConfigMapVolumeSourceDefaultMode
		obj.DefaultMode = &mode
	}
}

// SetDefaults_DownwardAPIVolumeSource defaults the file mode to 0644.
func SetDefaults_DownwardAPIVolumeSource(obj *corev1.DownwardAPIVolumeSource) {
	if obj.DefaultMode == nil {
		mode := corev1.DownwardAPIVolumeSourceDefaultMode
		obj.DefaultMode = &mode
	}
}

// SetDefaults_ProjectedVolumeSource defaults the file mode to 0644.
func SetDefaults_ProjectedVolumeSource(obj *corev1.ProjectedVolumeSource) {
	if obj.DefaultMode == nil {
		mode := corev1.ProjectedVolumeSourceDefaultMode
		obj.DefaultMode = &mode
	}
}

// SetDefaults_ServiceAccountTokenProjection defaults the token lifetime to an hour.
func SetDefaults_ServiceAccountTokenProjection(obj *corev1.ServiceAccountTokenProjection) {
	if obj.ExpirationSeconds == nil {
		hour := int64(3600)
		obj.ExpirationSeconds = &hour
	}
}

// SetDefaults_HostPathVolumeSource defaults the type to "" (no checks).
func SetDefaults_HostPathVolumeSource(obj *corev1.HostPathVolumeSource) {
	if obj.Type == nil {
		t := corev1.HostPathUnset
		obj.Type = &t
	}
}
