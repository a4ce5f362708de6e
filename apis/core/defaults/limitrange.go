package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_LimitRangeItem fills in container defaults: the default limit from max, the
// default request from the default limit, then from min.
func SetDefaults_LimitRangeItem(obj *corev1.LimitRangeItem) {
	if obj.Type != corev1.LimitTypeContainer {
		return
	}
	if obj.Default == nil {
		obj.Default = corev1.ResourceList{}
	}
	if obj.DefaultRequest == nil {
		obj.DefaultRequest = corev1.ResourceList{}
	}
	for key, value := range obj.Max {
		if _, ok := obj.Default[key]; !ok {
			obj.Default[key] = value.DeepCopy()
		}
	}
	for key, value := range obj.Default {
		if _, ok := obj.DefaultRequest[key]; !ok {
			obj.DefaultRequest[key] = value.DeepCopy()
		}
	}
	for key, value := range obj.Min {
		if _, ok := obj.DefaultRequest[key]; !ok {
			obj.DefaultRequest[key] = value.DeepCopy()
		}
	}
}
