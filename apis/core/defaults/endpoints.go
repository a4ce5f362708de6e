package defaults

import corev1 "k8s.io/api/core/v1"

// SetDefaults_Endpoints defaults port protocols to TCP.
func SetDefaults_Endpoints(obj *corev1.Endpoints) {
	for i := range obj.Subsets {
		for j := range obj.Subsets[i].Ports {
			if p := &obj.Subsets[i].Ports[j]; p.Protocol == "" {
				p.Protocol = corev1.ProtocolTCP
			}
		}
	}
}
