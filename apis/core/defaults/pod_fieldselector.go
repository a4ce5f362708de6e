package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_ObjectFieldSelector defaults the apiVersion of downward API field references.
func SetDefaults_ObjectFieldSelector(obj *corev1.ObjectFieldSelector) {
	if obj.APIVersion == "" {
		obj.APIVersion = "v1"
	}
}
