package defaults

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/utils/ptr"
)

// SetDefaults_NetworkPolicyPort defaults the protocol to TCP.
func SetDefaults_NetworkPolicyPort(obj *networkingv1.NetworkPolicyPort) {
	if obj.Protocol == nil {
		obj.Protocol = ptr.To(corev1.ProtocolTCP)
	}
}

// SetDefaults_NetworkPolicy defaults policyTypes to Ingress, plus Egress when the policy has
// egress rules.
func SetDefaults_NetworkPolicy(obj *networkingv1.NetworkPolicy) {
	if len(obj.Spec.PolicyTypes) == 0 {
		obj.Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
		if len(obj.Spec.Egress) != 0 {
			obj.Spec.PolicyTypes = append(obj.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
		}
	}
}

// SetDefaults_IngressClass defaults the scope of a parameters reference to Cluster.
func SetDefaults_IngressClass(obj *networkingv1.IngressClass) {
	if obj.Spec.Parameters != nil && obj.Spec.Parameters.Scope == nil {
		obj.Spec.Parameters.Scope = ptr.To(networkingv1.IngressClassParametersReferenceScopeCluster)
	}
}
