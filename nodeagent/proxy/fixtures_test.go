package proxy

import (
	"context"
	"testing"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/knftables"
)

const testNode = "node-a"

// svc is a ClusterIP Service ns1/<name> at clusterIP with one TCP port "p80" 80 -> 8080,
// changed by the options.
func svc(name, clusterIP string, opts ...func(*v1.Service)) *v1.Service {
	s := &v1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: name},
		Spec: v1.ServiceSpec{
			Type:       v1.ServiceTypeClusterIP,
			ClusterIP:  clusterIP,
			ClusterIPs: []string{clusterIP},
			Ports:      []v1.ServicePort{{Name: "p80", Port: 80, Protocol: v1.ProtocolTCP}},
		},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func nodePort(port int32) func(*v1.Service) {
	return func(s *v1.Service) {
		s.Spec.Type = v1.ServiceTypeNodePort
		s.Spec.Ports[0].NodePort = port
	}
}

func loadBalancer(port int32, ips ...string) func(*v1.Service) {
	return func(s *v1.Service) {
		nodePort(port)(s)
		s.Spec.Type = v1.ServiceTypeLoadBalancer
		for _, ip := range ips {
			s.Status.LoadBalancer.Ingress = append(s.Status.LoadBalancer.Ingress, v1.LoadBalancerIngress{IP: ip})
		}
	}
}

func externalIPs(ips ...string) func(*v1.Service) {
	return func(s *v1.Service) { s.Spec.ExternalIPs = ips }
}

func affinity(seconds int32) func(*v1.Service) {
	return func(s *v1.Service) {
		s.Spec.SessionAffinity = v1.ServiceAffinityClientIP
		s.Spec.SessionAffinityConfig = &v1.SessionAffinityConfig{ClientIP: &v1.ClientIPConfig{TimeoutSeconds: &seconds}}
	}
}

func internalLocal(s *v1.Service) {
	s.Spec.InternalTrafficPolicy = ptr.To(v1.ServiceInternalTrafficPolicyLocal)
}

func externalLocal(s *v1.Service) {
	s.Spec.ExternalTrafficPolicy = v1.ServiceExternalTrafficPolicyLocal
}

// ep is an endpoint on a node; the state options mark it not ready or terminating.
type ep struct {
	ip, node                    string
	notReady, terminating, down bool // down: not serving either
}

// slice is the IPv4 EndpointSlice of ns1/<service> with port "p80" 8080.
func slice(service string, eps ...ep) *discovery.EndpointSlice {
	s := &discovery.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Namespace: "ns1", Name: service + "-abc", Labels: map[string]string{discovery.LabelServiceName: service}},
		AddressType: discovery.AddressTypeIPv4,
		Ports:       []discovery.EndpointPort{{Name: ptr.To("p80"), Port: ptr.To[int32](8080), Protocol: ptr.To(v1.ProtocolTCP)}},
	}
	for _, e := range eps {
		s.Endpoints = append(s.Endpoints, discovery.Endpoint{
			Addresses: []string{e.ip},
			NodeName:  ptr.To(e.node),
			Conditions: discovery.EndpointConditions{
				Ready:       ptr.To(!e.notReady && !e.terminating && !e.down),
				Serving:     ptr.To(!e.notReady && !e.down),
				Terminating: ptr.To(e.terminating),
			},
		})
	}
	return s
}

// testConfig is a node-a IPv4 config with pod network 10.244.0.0/16.
func testConfig() Config {
	return Config{NodeName: testNode, ClusterCIDRs: []string{"10.244.0.0/16"}}
}

// build runs one recreating sync of snap on a fake table and returns the fake.
func build(t *testing.T, cfg Config, snap *snapshot) *knftables.Fake {
	t.Helper()
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	fake := knftables.NewFake(NFTablesFamily(cfg.IPFamily), TableName)
	tx := fake.NewTransaction()
	writeRuleset(tx, newParams(cfg), snap, true)
	if err := fake.Run(context.Background(), tx); err != nil {
		t.Fatalf("transaction failed: %v\n%s", err, tx.String())
	}
	return fake
}
