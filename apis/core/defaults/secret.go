package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_Secret makes an untyped Secret Opaque.
func SetDefaults_Secret(obj *corev1.Secret) {
	if obj.Type == "" {
		obj.Type = corev1.SecretTypeOpaque
	}
}
