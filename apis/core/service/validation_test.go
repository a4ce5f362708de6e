package service

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

// validService is a defaulted, allocated ClusterIP service.
func validService(mutate ...func(*corev1.Service)) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default", ResourceVersion: "1"},
		Spec: corev1.ServiceSpec{
			Type:                  corev1.ServiceTypeClusterIP,
			ClusterIP:             "10.96.0.10",
			ClusterIPs:            []string{"10.96.0.10"},
			IPFamilies:            []corev1.IPFamily{corev1.IPv4Protocol},
			IPFamilyPolicy:        ptr.To(corev1.IPFamilyPolicySingleStack),
			SessionAffinity:       corev1.ServiceAffinityNone,
			InternalTrafficPolicy: ptr.To(corev1.ServiceInternalTrafficPolicyCluster),
			Selector:              map[string]string{"app": "web"},
			Ports:                 []corev1.ServicePort{{Port: 80, Protocol: corev1.ProtocolTCP, TargetPort: intstr.FromInt32(80)}},
		},
	}
	for _, m := range mutate {
		m(svc)
	}
	return svc
}

func nodePortType(s *corev1.Service) {
	s.Spec.Type = corev1.ServiceTypeNodePort
	s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster
	s.Spec.Ports[0].NodePort = 30080
}

func lbType(s *corev1.Service) {
	nodePortType(s)
	s.Spec.Type = corev1.ServiceTypeLoadBalancer
	s.Spec.AllocateLoadBalancerNodePorts = ptr.To(true)
}

func externalName(s *corev1.Service) {
	s.Spec = corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "db.example.com.", SessionAffinity: corev1.ServiceAffinityNone}
}

// expectErr asserts errs hold exactly one error, of type typ at path (or none when path is "").
func expectErr(t *testing.T, errs field.ErrorList, path string, typ field.ErrorType, detail string) {
	t.Helper()
	if path == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == path && e.Type == typ && strings.Contains(e.Detail, detail) {
			return
		}
	}
	t.Fatalf("want %s at %s (%q), got %v", typ, path, detail, errs)
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.Service)
		path   string
		typ    field.ErrorType
		detail string
	}{
		{"valid", func(*corev1.Service) {}, "", "", ""},
		{"valid node port", nodePortType, "", "", ""},
		{"valid load balancer", lbType, "", "", ""},
		{"valid external name", externalName, "", "", ""},
		{"valid headless", func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}, "", "", ""},
		{"valid headless without ports", func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs, s.Spec.Ports = "None", []string{"None"}, nil
		}, "", "", ""},
		{"name not a DNS label", func(s *corev1.Service) { s.Name = "a.b" }, "metadata.name", field.ErrorTypeInvalid, ""},
		{"name starting with a digit is fine", func(s *corev1.Service) { s.Name = "1web" }, "", "", ""},
		{"no ports", func(s *corev1.Service) { s.Spec.Ports = nil }, "spec.ports", field.ErrorTypeRequired, ""},
		{"missing type", func(s *corev1.Service) { s.Spec.Type = "" }, "spec.type", field.ErrorTypeRequired, ""},
		{"bad type", func(s *corev1.Service) { s.Spec.Type = "Foo" }, "spec.type", field.ErrorTypeNotSupported, ""},
		{"bad protocol", func(s *corev1.Service) { s.Spec.Ports[0].Protocol = "ICMP" }, "spec.ports[0].protocol", field.ErrorTypeNotSupported, ""},
		{"port out of range", func(s *corev1.Service) { s.Spec.Ports[0].Port = 0 }, "spec.ports[0].port", field.ErrorTypeInvalid, "between 1 and 65535"},
		{"bad target port name", func(s *corev1.Service) { s.Spec.Ports[0].TargetPort = intstr.FromString("Not_A_Name") }, "spec.ports[0].targetPort", field.ErrorTypeInvalid, ""},
		{"duplicate port", func(s *corev1.Service) {
			s.Spec.Ports = []corev1.ServicePort{{Name: "a", Port: 80, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}, {Name: "b", Port: 80, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}}
		}, "spec.ports[1]", field.ErrorTypeDuplicate, ""},
		{"duplicate port name", func(s *corev1.Service) {
			s.Spec.Ports = []corev1.ServicePort{{Name: "a", Port: 80, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}, {Name: "a", Port: 81, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}}
		}, "spec.ports[1].name", field.ErrorTypeDuplicate, ""},
		{"duplicate node port", func(s *corev1.Service) {
			nodePortType(s)
			s.Spec.Ports = []corev1.ServicePort{{Name: "a", Port: 80, NodePort: 30001, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}, {Name: "b", Port: 81, NodePort: 30001, Protocol: "TCP", TargetPort: intstr.FromInt32(1)}}
		}, "spec.ports[1].nodePort", field.ErrorTypeDuplicate, ""},
		{"node port on ClusterIP", func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 30001 }, "spec.ports[0].nodePort", field.ErrorTypeForbidden, ""},
		{"headless node port", func(s *corev1.Service) {
			nodePortType(s)
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "None", []string{"None"}
		}, "spec.clusterIPs[0]", field.ErrorTypeInvalid, "may not be set to 'None' for NodePort services"},
		{"missing session affinity", func(s *corev1.Service) { s.Spec.SessionAffinity = "" }, "spec.sessionAffinity", field.ErrorTypeRequired, ""},
		{"ClientIP without config", func(s *corev1.Service) { s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP }, "spec.sessionAffinityConfig", field.ErrorTypeRequired, "when session affinity type is ClientIP"},
		{"ClientIP timeout too long", func(s *corev1.Service) {
			s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
			s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](86401)}}
		}, "spec.sessionAffinityConfig.clientIP.timeoutSeconds", field.ErrorTypeInvalid, "must be greater than 0 and less than 86400"},
		{"config with None", func(s *corev1.Service) {
			s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{}
		}, "spec.sessionAffinityConfig", field.ErrorTypeForbidden, ""},
		{"clusterIPs not matching clusterIP", func(s *corev1.Service) { s.Spec.ClusterIPs = []string{"10.96.0.11"} }, "spec.clusterIPs", field.ErrorTypeInvalid, "first value must match `clusterIP`"},
		{"clusterIPs without clusterIP", func(s *corev1.Service) { s.Spec.ClusterIP = "" }, "spec.clusterIPs", field.ErrorTypeInvalid, "must be empty when `clusterIP` is not specified"},
		{"invalid clusterIP", func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.256", []string{"10.96.0.256"} }, "spec.clusterIPs[0]", field.ErrorTypeInvalid, "must be a valid IP address"},
		{"leading zeros", func(s *corev1.Service) { s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.010", []string{"10.96.0.010"} }, "spec.clusterIPs[0]", field.ErrorTypeInvalid, "must not have leading 0s"},
		{"two IPv4 cluster IPs", func(s *corev1.Service) {
			s.Spec.ClusterIPs = []string{"10.96.0.10", "10.96.0.11"}
		}, "spec.clusterIPs", field.ErrorTypeInvalid, "may specify no more than one IP for each IP family"},
		{"family mismatch", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv6Protocol} }, "spec.clusterIPs[0]", field.ErrorTypeInvalid, "expected an IPv6 value as indicated by `ipFamilies[0]`"},
		{"bad family", func(s *corev1.Service) { s.Spec.IPFamilies = []corev1.IPFamily{"IPv5"} }, "spec.ipFamilies[0]", field.ErrorTypeNotSupported, ""},
		{"duplicate family", func(s *corev1.Service) {
			s.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol, corev1.IPv4Protocol}
		}, "spec.ipFamilies[1]", field.ErrorTypeDuplicate, ""},
		{"bad policy", func(s *corev1.Service) { s.Spec.IPFamilyPolicy = ptr.To[corev1.IPFamilyPolicy]("Sometimes") }, "spec.ipFamilyPolicy", field.ErrorTypeNotSupported, ""},
		{"external name with cluster IP", func(s *corev1.Service) {
			externalName(s)
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.10", []string{"10.96.0.10"}
		}, "spec.clusterIPs", field.ErrorTypeForbidden, "may not be set for ExternalName services"},
		{"external name missing", func(s *corev1.Service) { externalName(s); s.Spec.ExternalName = "" }, "spec.externalName", field.ErrorTypeRequired, ""},
		{"external name invalid", func(s *corev1.Service) { externalName(s); s.Spec.ExternalName = "Bad_Name" }, "spec.externalName", field.ErrorTypeInvalid, ""},
		{"loopback external IP", func(s *corev1.Service) { s.Spec.ExternalIPs = []string{"127.0.0.1"} }, "spec.externalIPs[0]", field.ErrorTypeInvalid, "loopback"},
		{"externalTrafficPolicy on ClusterIP", func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal }, "spec.externalTrafficPolicy", field.ErrorTypeInvalid, "may only be set for externally-accessible services"},
		{"missing externalTrafficPolicy", func(s *corev1.Service) { nodePortType(s); s.Spec.ExternalTrafficPolicy = "" }, "spec.externalTrafficPolicy", field.ErrorTypeRequired, ""},
		{"healthCheckNodePort without Local", func(s *corev1.Service) { lbType(s); s.Spec.HealthCheckNodePort = 30100 }, "spec.healthCheckNodePort", field.ErrorTypeInvalid, ""},
		{"Local LB without healthCheckNodePort", func(s *corev1.Service) {
			lbType(s)
			s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
		}, "spec.healthCheckNodePort", field.ErrorTypeRequired, ""},
		{"missing internalTrafficPolicy", func(s *corev1.Service) { s.Spec.InternalTrafficPolicy = nil }, "spec.internalTrafficPolicy", field.ErrorTypeRequired, ""},
		{"source ranges on ClusterIP", func(s *corev1.Service) { s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/8"} }, "spec.LoadBalancerSourceRanges", field.ErrorTypeForbidden, ""},
		{"bad source range", func(s *corev1.Service) { lbType(s); s.Spec.LoadBalancerSourceRanges = []string{"10.0.0.0/33"} }, "spec.LoadBalancerSourceRanges[0]", field.ErrorTypeInvalid, ""},
		{"allocateLoadBalancerNodePorts on NodePort", func(s *corev1.Service) {
			nodePortType(s)
			s.Spec.AllocateLoadBalancerNodePorts = ptr.To(true)
		}, "spec.allocateLoadBalancerNodePorts", field.ErrorTypeForbidden, ""},
		{"LB without allocateLoadBalancerNodePorts", func(s *corev1.Service) {
			lbType(s)
			s.Spec.AllocateLoadBalancerNodePorts = nil
		}, "allocateLoadBalancerNodePorts", field.ErrorTypeRequired, ""},
		{"loadBalancerClass on ClusterIP", func(s *corev1.Service) { s.Spec.LoadBalancerClass = ptr.To("a/b") }, "spec.loadBalancerClass", field.ErrorTypeForbidden, ""},
		{"bad trafficDistribution", func(s *corev1.Service) { s.Spec.TrafficDistribution = ptr.To("Anywhere") }, "spec.trafficDistribution", field.ErrorTypeNotSupported, ""},
		{"bad selector", func(s *corev1.Service) { s.Spec.Selector = map[string]string{"a": "b c"} }, "spec.selector", field.ErrorTypeInvalid, ""},
		{"topology annotations disagree", func(s *corev1.Service) {
			s.Annotations = map[string]string{corev1.AnnotationTopologyMode: "Auto", corev1.DeprecatedAnnotationTopologyAwareHints: "Disabled"}
		}, "metadata.annotations[service.kubernetes.io/topology-mode]", field.ErrorTypeInvalid, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectErr(t, Validate(validService(tc.mutate)), tc.path, tc.typ, tc.detail)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	cases := []struct {
		name   string
		old    func(*corev1.Service)
		mutate func(*corev1.Service)
		path   string
		typ    field.ErrorType
		detail string
	}{
		{"unchanged", nil, func(*corev1.Service) {}, "", "", ""},
		{"change clusterIP", nil, func(s *corev1.Service) {
			s.Spec.ClusterIP, s.Spec.ClusterIPs = "10.96.0.11", []string{"10.96.0.11"}
		}, "spec.clusterIPs[0]", field.ErrorTypeInvalid, "may not change once set"},
		{"to ExternalName", nil, func(s *corev1.Service) { externalName(s) }, "", "", ""},
		{"from ExternalName", externalName, func(s *corev1.Service) { *s = *validService() }, "", "", ""},
		{"change loadBalancerClass", func(s *corev1.Service) { lbType(s); s.Spec.LoadBalancerClass = ptr.To("a/b") }, func(s *corev1.Service) {
			lbType(s)
			s.Spec.LoadBalancerClass = ptr.To("a/c")
		}, "spec.loadBalancerClass", field.ErrorTypeInvalid, "may not change once set"},
		{"change healthCheckNodePort", func(s *corev1.Service) {
			lbType(s)
			s.Spec.ExternalTrafficPolicy, s.Spec.HealthCheckNodePort = corev1.ServiceExternalTrafficPolicyLocal, 30100
		}, func(s *corev1.Service) {
			lbType(s)
			s.Spec.ExternalTrafficPolicy, s.Spec.HealthCheckNodePort = corev1.ServiceExternalTrafficPolicyLocal, 30101
		}, "spec.healthCheckNodePort", field.ErrorTypeForbidden, "field is immutable"},
		{"invalid external IP kept from old", func(s *corev1.Service) {
			s.Spec.ExternalIPs, s.Spec.ExternalTrafficPolicy = []string{"010.1.2.3"}, corev1.ServiceExternalTrafficPolicyCluster
		}, func(*corev1.Service) {}, "", "", ""},
		{"new invalid external IP", func(s *corev1.Service) { s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyCluster }, func(s *corev1.Service) {
			s.Spec.ExternalIPs = []string{"010.1.2.3"}
		}, "spec.externalIPs[0]", field.ErrorTypeInvalid, "must not have leading 0s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old := validService()
			if tc.old != nil {
				tc.old(old)
			}
			svc := old.DeepCopy()
			tc.mutate(svc)
			expectErr(t, ValidateUpdate(svc, old), tc.path, tc.typ, tc.detail)
		})
	}
}

func TestValidateStatusUpdate(t *testing.T) {
	lb := validService(lbType)
	status := lb.DeepCopy()
	status.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "192.0.2.1", IPMode: ptr.To(corev1.LoadBalancerIPModeVIP)}}
	expectErr(t, ValidateStatusUpdate(status, lb), "", "", "")
	status.Status.LoadBalancer.Ingress[0].IPMode = nil
	expectErr(t, ValidateStatusUpdate(status, lb), "status.loadBalancer.ingress[0].ipMode", field.ErrorTypeRequired, "must be specified when `ip` is set")
	status.Status.LoadBalancer.Ingress[0] = corev1.LoadBalancerIngress{Hostname: "192.0.2.1"}
	expectErr(t, ValidateStatusUpdate(status, lb), "status.loadBalancer.ingress[0].hostname", field.ErrorTypeInvalid, "must be a DNS name, not an IP address")
	clusterIP := validService()
	status = clusterIP.DeepCopy()
	status.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{Hostname: "lb.example.com"}}
	expectErr(t, ValidateStatusUpdate(status, clusterIP), "status.loadBalancer.ingress", field.ErrorTypeForbidden, "")
}

// The duplicate port prints as upstream's internal ServicePort: Go field names, all fields.
func TestDuplicatePortMessage(t *testing.T) {
	svc := validService(func(s *corev1.Service) {
		s.Spec.Ports = []corev1.ServicePort{{Name: "a", Port: 80, Protocol: "TCP"}, {Name: "b", Port: 80, Protocol: "TCP"}}
	})
	const want = `spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}`
	for _, err := range Validate(svc) {
		if err.Field == "spec.ports[1]" {
			if err.Error() != want {
				t.Errorf("got  %s\nwant %s", err.Error(), want)
			}
			return
		}
	}
	t.Error("no duplicate port error")
}
