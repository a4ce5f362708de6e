package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_Probe sets the probe timing defaults.
func SetDefaults_Probe(obj *corev1.Probe) {
	if obj.TimeoutSeconds == 0 {
		obj.TimeoutSeconds = 1
	}
	if obj.PeriodSeconds == 0 {
		obj.PeriodSeconds = 10
	}
	if obj.SuccessThreshold == 0 {
		obj.SuccessThreshold = 1
	}
	if obj.FailureThreshold == 0 {
		obj.FailureThreshold = 3
	}
}

// SetDefaults_HTTPGetAction defaults the path to "/" and the scheme to HTTP.
func SetDefaults_HTTPGetAction(obj *corev1.HTTPGetAction) {
	if obj.Path == "" {
		obj.Path = "/"
	}
	if obj.Scheme == "" {
		obj.Scheme = corev1.URISchemeHTTP
	}
}
