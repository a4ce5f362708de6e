package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_ResourceList rounds every quantity up to milli precision, as upstream does for
// API compatibility (it applies to every ResourceList: containers, LimitRanges, quotas ...).
func SetDefaults_ResourceList(obj *corev1.ResourceList) {
	for name, q := range *obj {
		q.RoundUp(-3)
		(*obj)[name] = q
	}
}
