package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_ReplicationController takes the selector and labels from the template's labels
// when unset; spec.replicas (1) is defaulted declaratively.
func SetDefaults_ReplicationController(obj *corev1.ReplicationController) {
	var labels map[string]string
	if obj.Spec.Template != nil {
		labels = obj.Spec.Template.Labels
	}
	if labels != nil {
		if len(obj.Spec.Selector) == 0 {
			obj.Spec.Selector = labels
		}
		if len(obj.Labels) == 0 {
			obj.Labels = labels
		}
	}
}
