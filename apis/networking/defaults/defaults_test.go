package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func defaulted(t *testing.T, obj runtime.Object) {
	t.Helper()
	s := runtime.NewScheme()
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	s.Default(obj)
}

func TestNetworkPolicyDefaults(t *testing.T) {
	tests := []struct {
		name  string
		spec  networkingv1.NetworkPolicySpec
		types []networkingv1.PolicyType
	}{
		{name: "ingress only", spec: networkingv1.NetworkPolicySpec{}, types: []networkingv1.PolicyType{"Ingress"}},
		{name: "egress rules", spec: networkingv1.NetworkPolicySpec{Egress: []networkingv1.NetworkPolicyEgressRule{{}}}, types: []networkingv1.PolicyType{"Ingress", "Egress"}},
		{name: "explicit", spec: networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{"Egress"}}, types: []networkingv1.PolicyType{"Egress"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := &networkingv1.NetworkPolicy{Spec: tc.spec}
			defaulted(t, np)
			if len(np.Spec.PolicyTypes) != len(tc.types) {
				t.Fatalf("policyTypes = %v, want %v", np.Spec.PolicyTypes, tc.types)
			}
			for i := range tc.types {
				if np.Spec.PolicyTypes[i] != tc.types[i] {
					t.Fatalf("policyTypes = %v, want %v", np.Spec.PolicyTypes, tc.types)
				}
			}
		})
	}
	np := &networkingv1.NetworkPolicy{Spec: networkingv1.NetworkPolicySpec{
		Ingress: []networkingv1.NetworkPolicyIngressRule{{Ports: []networkingv1.NetworkPolicyPort{{}}}},
		Egress:  []networkingv1.NetworkPolicyEgressRule{{Ports: []networkingv1.NetworkPolicyPort{{}}}},
	}}
	defaulted(t, np)
	if *np.Spec.Ingress[0].Ports[0].Protocol != corev1.ProtocolTCP || *np.Spec.Egress[0].Ports[0].Protocol != corev1.ProtocolTCP {
		t.Fatal("port protocol must default to TCP")
	}
}

func TestIngressClassDefaults(t *testing.T) {
	ic := &networkingv1.IngressClass{Spec: networkingv1.IngressClassSpec{Parameters: &networkingv1.IngressClassParametersReference{Kind: "K", Name: "n"}}}
	defaulted(t, ic)
	if ic.Spec.Parameters.Scope == nil || *ic.Spec.Parameters.Scope != networkingv1.IngressClassParametersReferenceScopeCluster {
		t.Fatalf("scope = %v, want Cluster", ic.Spec.Parameters.Scope)
	}
}
