package defaults

import (
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/utils/ptr"
)

// SetDefaults_PriorityClass defaults preemptionPolicy to PreemptLowerPriority.
func SetDefaults_PriorityClass(obj *schedulingv1.PriorityClass) {
	if obj.PreemptionPolicy == nil {
		obj.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
	}
}
