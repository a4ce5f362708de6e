package defaults

import (
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/utils/ptr"
)

// SetDefaults_EndpointPort defaults the port name to "" and the protocol to TCP.
func SetDefaults_EndpointPort(obj *discoveryv1.EndpointPort) {
	if obj.Name == nil {
		obj.Name = ptr.To("")
	}
	if obj.Protocol == nil {
		obj.Protocol = ptr.To(corev1.ProtocolTCP)
	}
}
