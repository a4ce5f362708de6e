package defaults

import (
	corev1 "k8s.io/api/core/v1"
)

// SetDefaults_Pod sets upstream's Pod-only defaults: a negative grace period becomes 1,
// container requests default to their limits, service links are on, and with host networking
// every container port is also a host port.
func SetDefaults_Pod(obj *corev1.Pod) {
	if p := obj.Spec.TerminationGracePeriodSeconds; p != nil && *p < 0 {
		one := int64(1)
		obj.Spec.TerminationGracePeriodSeconds = &one
	}
	for _, containers := range [][]corev1.Container{obj.Spec.Containers, obj.Spec.InitContainers} {
		for i := range containers {
			r := &containers[i].Resources
			if r.Limits == nil {
				continue
			}
			if r.Requests == nil {
				r.Requests = corev1.ResourceList{}
			}
			for name, limit := range r.Limits {
				if _, ok := r.Requests[name]; !ok {
					r.Requests[name] = limit.DeepCopy()
				}
			}
		}
	}
	if obj.Spec.EnableServiceLinks == nil {
		enable := corev1.DefaultEnableServiceLinks
		obj.Spec.EnableServiceLinks = &enable
	}
	if obj.Spec.HostNetwork {
		for _, containers := range [][]corev1.Container{obj.Spec.Containers, obj.Spec.InitContainers} {
			for i := range containers {
				for j := range containers[i].Ports {
					if p := &containers[i].Ports[j]; p.HostPort == 0 {
						p.HostPort = p.ContainerPort
					}
				}
			}
		}
	}
}

// SetDefaults_PodStatus keeps status.podIP and status.podIPs in sync, podIP winning.
func SetDefaults_PodStatus(obj *corev1.PodStatus) {
	hasIP, hasIPs := len(obj.PodIP) > 0, len(obj.PodIPs) > 0
	switch {
	case hasIP && !hasIPs:
		obj.PodIPs = []corev1.PodIP{{IP: obj.PodIP}}
	case !hasIP && hasIPs:
		obj.PodIP = obj.PodIPs[0].IP
	case hasIP && hasIPs && obj.PodIPs[0].IP != obj.PodIP:
		obj.PodIPs = []corev1.PodIP{{IP: obj.PodIP}}
	}
}

// SetDefaults_PodSpec sets the defaults every pod spec (also in templates) gets.
func SetDefaults_PodSpec(obj *corev1.PodSpec) {
	// DeprecatedServiceAccount is an alias of ServiceAccountName, which wins.
	if len(obj.ServiceAccountName) == 0 {
		obj.ServiceAccountName = obj.DeprecatedServiceAccount //nolint:staticcheck
	}
	obj.DeprecatedServiceAccount = obj.ServiceAccountName //nolint:staticcheck
	if obj.DNSPolicy == "" {
		obj.DNSPolicy = corev1.DNSClusterFirst
	}
	if obj.RestartPolicy == "" {
		obj.RestartPolicy = corev1.RestartPolicyAlways
	}
	if obj.SecurityContext == nil {
		obj.SecurityContext = &corev1.PodSecurityContext{}
	}
	if obj.TerminationGracePeriodSeconds == nil {
		period := int64(corev1.DefaultTerminationGracePeriodSeconds)
		obj.TerminationGracePeriodSeconds = &period
	}
	if obj.SchedulerName == "" {
		obj.SchedulerName = corev1.DefaultSchedulerName
	}
}
