package networkpolicy

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validPolicy() *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "np", Namespace: "default", ResourceVersion: "1"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(80)), EndPort: ptr.To[int32](90)}},
				From:  []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
			}},
			Egress: []networkingv1.NetworkPolicyEgressRule{{
				Ports: []networkingv1.NetworkPolicyPort{{Port: ptr.To(intstr.FromString("http"))}},
				To:    []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{}, PodSelector: &metav1.LabelSelector{}}},
			}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*networkingv1.NetworkPolicy)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*networkingv1.NetworkPolicy) {}},
		{name: "bad name", mutate: func(np *networkingv1.NetworkPolicy) { np.Name = "Bad_Name" }, field: "metadata.name", typ: field.ErrorTypeInvalid},
		{name: "bad protocol", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].Ports[0].Protocol = ptr.To(corev1.Protocol("ICMP"))
		}, field: "spec.ingress[0].ports[0].protocol", typ: field.ErrorTypeNotSupported},
		{name: "port out of range", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].Ports[0].Port = ptr.To(intstr.FromInt32(70000))
			np.Spec.Ingress[0].Ports[0].EndPort = nil
		}, field: "spec.ingress[0].ports[0].port", typ: field.ErrorTypeInvalid},
		{name: "endPort below port", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].Ports[0].EndPort = ptr.To[int32](10)
		}, field: "spec.ingress[0].ports[0].endPort", typ: field.ErrorTypeInvalid},
		{name: "endPort with named port", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Egress[0].Ports[0].EndPort = ptr.To[int32](100)
		}, field: "spec.egress[0].ports[0].endPort", typ: field.ErrorTypeInvalid},
		{name: "endPort without port", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].Ports[0].Port = nil
		}, field: "spec.ingress[0].ports[0].endPort", typ: field.ErrorTypeInvalid},
		{name: "empty peer", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0] = networkingv1.NetworkPolicyPeer{}
		}, field: "spec.ingress[0].from[0]", typ: field.ErrorTypeRequired},
		{name: "ipBlock with selector", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0].PodSelector = &metav1.LabelSelector{}
		}, field: "spec.ingress[0].from[0]", typ: field.ErrorTypeForbidden},
		{name: "cidr required", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0].IPBlock = &networkingv1.IPBlock{}
		}, field: "spec.ingress[0].from[0].ipBlock.cidr", typ: field.ErrorTypeRequired},
		{name: "bad cidr", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0].IPBlock = &networkingv1.IPBlock{CIDR: "10.0.0.0/33"}
		}, field: "spec.ingress[0].from[0].ipBlock.cidr", typ: field.ErrorTypeInvalid},
		{name: "except outside cidr", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0].IPBlock.Except = []string{"192.168.0.0/16"}
		}, field: "spec.ingress[0].from[0].ipBlock.except[0]", typ: field.ErrorTypeInvalid},
		{name: "except equal cidr", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.Ingress[0].From[0].IPBlock.Except = []string{"10.0.0.0/8"}
		}, field: "spec.ingress[0].from[0].ipBlock.except[0]", typ: field.ErrorTypeInvalid},
		{name: "bad policy type", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.PolicyTypes = []networkingv1.PolicyType{"Sideways"}
		}, field: "spec.policyTypes[0]", typ: field.ErrorTypeNotSupported},
		{name: "too many policy types", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.PolicyTypes = []networkingv1.PolicyType{"Ingress", "Egress", "Ingress"}
		}, field: "spec.policyTypes", typ: field.ErrorTypeInvalid},
		{name: "bad pod selector", mutate: func(np *networkingv1.NetworkPolicy) {
			np.Spec.PodSelector.MatchLabels = map[string]string{"app": "-bad-"}
		}, field: "spec.podSelector.matchLabels", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			np := validPolicy()
			tc.mutate(np)
			expectOne(t, Validate(np), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdateKeepsOldCIDRs(t *testing.T) {
	old := validPolicy()
	old.Spec.Ingress[0].From[0].IPBlock = &networkingv1.IPBlock{CIDR: "010.0.0.0/8"}
	np := old.DeepCopy()
	np.Labels = map[string]string{"a": "b"}
	if errs := ValidateUpdate(np, old); len(errs) != 0 {
		t.Fatalf("stored legacy CIDR must stay valid: %v", errs)
	}
	if errs := Validate(np); len(errs) == 0 {
		t.Fatal("legacy CIDR must be rejected on create")
	}
	np.Spec.Egress[0].To[0] = networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "011.0.0.0/8"}}
	expectOne(t, ValidateUpdate(np, old), "spec.egress[0].to[0].ipBlock.cidr", field.ErrorTypeInvalid)
}

func TestWarnings(t *testing.T) {
	np := validPolicy()
	np.Spec.Ingress[0].From[0].IPBlock = &networkingv1.IPBlock{CIDR: "10.0.0.1/8"}
	if w := warnings(np); len(w) != 1 {
		t.Fatalf("want one warning for a CIDR with host bits, got %v", w)
	}
}

// expectOne asserts errs is empty when want is "", else that it holds an error of typ at want.
func expectOne(t *testing.T, errs field.ErrorList, want string, typ field.ErrorType) {
	t.Helper()
	if want == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == want && e.Type == typ {
			return
		}
	}
	t.Fatalf("want %s error at %s, got %v", typ, want, errs)
}
