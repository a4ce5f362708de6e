package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_Namespace labels a named namespace kubernetes.io/metadata.name=<name>.
func SetDefaults_Namespace(obj *corev1.Namespace) {
	if len(obj.Name) > 0 {
		if obj.Labels == nil {
			obj.Labels = map[string]string{}
		}
		obj.Labels[corev1.LabelMetadataName] = obj.Name
	}
}

// SetDefaults_NamespaceStatus makes a namespace Active.
func SetDefaults_NamespaceStatus(obj *corev1.NamespaceStatus) {
	if obj.Phase == "" {
		obj.Phase = corev1.NamespaceActive
	}
}
