package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func TestServiceDefaults(t *testing.T) {
	cases := []struct {
		name  string
		svc   corev1.Service
		check func(t *testing.T, s *corev1.ServiceSpec)
	}{
		{"ClusterIP", corev1.Service{Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}, {Port: 53, Protocol: corev1.ProtocolUDP, TargetPort: intstr.FromString("dns")}}}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if s.Type != corev1.ServiceTypeClusterIP || s.SessionAffinity != corev1.ServiceAffinityNone || s.SessionAffinityConfig != nil {
					t.Errorf("type/affinity: %+v", s)
				}
				if s.Ports[0].Protocol != corev1.ProtocolTCP || s.Ports[0].TargetPort != intstr.FromInt32(80) || s.Ports[1].TargetPort != intstr.FromString("dns") {
					t.Errorf("ports: %+v", s.Ports)
				}
				if s.InternalTrafficPolicy == nil || *s.InternalTrafficPolicy != corev1.ServiceInternalTrafficPolicyCluster || s.ExternalTrafficPolicy != "" {
					t.Errorf("traffic policies: %+v", s)
				}
				if s.IPFamilyPolicy != nil || s.IPFamilies != nil || s.AllocateLoadBalancerNodePorts != nil {
					t.Errorf("left for the registry: %+v", s)
				}
			}},
		{"ClientIP affinity", corev1.Service{Spec: corev1.ServiceSpec{SessionAffinity: corev1.ServiceAffinityClientIP}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if c := s.SessionAffinityConfig; c == nil || *c.ClientIP.TimeoutSeconds != 10800 {
					t.Errorf("affinity config: %+v", c)
				}
			}},
		{"NodePort", corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if s.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyCluster {
					t.Errorf("externalTrafficPolicy %q", s.ExternalTrafficPolicy)
				}
			}},
		{"LoadBalancer", corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer},
			Status: corev1.ServiceStatus{LoadBalancer: corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "192.0.2.1"}, {Hostname: "lb"}}}}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if s.AllocateLoadBalancerNodePorts == nil || !*s.AllocateLoadBalancerNodePorts || s.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyCluster {
					t.Errorf("LB: %+v", s)
				}
			}},
		{"ExternalName", corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if s.InternalTrafficPolicy != nil || s.ExternalTrafficPolicy != "" {
					t.Errorf("ExternalName: %+v", s)
				}
			}},
		{"external IPs make ClusterIP externally accessible", corev1.Service{Spec: corev1.ServiceSpec{ExternalIPs: []string{"192.0.2.1"}}},
			func(t *testing.T, s *corev1.ServiceSpec) {
				if s.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyCluster {
					t.Errorf("externalTrafficPolicy %q", s.ExternalTrafficPolicy)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			svc := tc.svc.DeepCopy()
			SetObjectDefaults_Service(svc)
			tc.check(t, &svc.Spec)
			if tc.name == "LoadBalancer" {
				ing := svc.Status.LoadBalancer.Ingress
				if ing[0].IPMode == nil || *ing[0].IPMode != corev1.LoadBalancerIPModeVIP || ing[1].IPMode != nil {
					t.Errorf("ipMode: %+v", ing)
				}
			}
		})
	}
	// ClientIP affinity with a timeout keeps it.
	svc := &corev1.Service{Spec: corev1.ServiceSpec{SessionAffinity: corev1.ServiceAffinityClientIP,
		SessionAffinityConfig: &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](60)}}}}
	SetObjectDefaults_Service(svc)
	if *svc.Spec.SessionAffinityConfig.ClientIP.TimeoutSeconds != 60 {
		t.Error("timeout overwritten")
	}
}
