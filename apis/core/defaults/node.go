package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_NodeStatus makes allocatable default to capacity.
func SetDefaults_NodeStatus(obj *corev1.NodeStatus) {
	if obj.Allocatable == nil && obj.Capacity != nil {
		obj.Allocatable = make(corev1.ResourceList, len(obj.Capacity))
		for key, value := range obj.Capacity {
			obj.Allocatable[key] = value.DeepCopy()
		}
	}
}
