package proxy

import (
	"fmt"
	"testing"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestServicePorts(t *testing.T) {
	dual := svc("dual", "10.96.0.20", func(s *v1.Service) {
		s.Spec.ClusterIPs = []string{"10.96.0.20", "fd00:10::20"}
		s.Spec.ExternalIPs = []string{"203.0.113.1", "fd00::1"}
		s.Spec.Ports = append(s.Spec.Ports, v1.ServicePort{Name: "dns", Port: 53, Protocol: v1.ProtocolUDP})
	})
	tests := []struct {
		name   string
		family v1.IPFamily
		svcs   []*v1.Service
		want   []string
	}{
		{"IPv4 ports of a dual-stack Service", v1.IPv4Protocol, []*v1.Service{dual},
			[]string{"ns1/dual:dns UDP 10.96.0.20:53 ext=[203.0.113.1]", "ns1/dual:p80 TCP 10.96.0.20:80 ext=[203.0.113.1]"}},
		{"IPv6 ports of a dual-stack Service", v1.IPv6Protocol, []*v1.Service{dual},
			[]string{"ns1/dual:dns UDP fd00:10::20:53 ext=[fd00::1]", "ns1/dual:p80 TCP fd00:10::20:80 ext=[fd00::1]"}},
		{"single-stack IPv4 Service has no IPv6 ports", v1.IPv6Protocol, []*v1.Service{svc("web", "10.96.0.10")}, nil},
		{"headless and ExternalName are skipped", v1.IPv4Protocol, []*v1.Service{svc("h", "None"),
			svc("x", "", func(s *v1.Service) { s.Spec.Type = v1.ServiceTypeExternalName })}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range servicePorts(tt.svcs, tt.family) {
				got = append(got, fmt.Sprintf("%s %s %s:%d ext=%v", sp.name, sp.name.Protocol, sp.clusterIP, sp.port, sp.externalIPs))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServicePortPolicies(t *testing.T) {
	tests := []struct {
		name                         string
		svc                          *v1.Service
		affinity                     int
		internalLocal, externalLocal bool
	}{
		{"defaults", svc("a", "10.96.0.1"), 0, false, false},
		{"affinity timeout", svc("a", "10.96.0.1", affinity(60)), 60, false, false},
		{"affinity default timeout", svc("a", "10.96.0.1", func(s *v1.Service) { s.Spec.SessionAffinity = v1.ServiceAffinityClientIP }), 10800, false, false},
		{"ETP Local on a ClusterIP Service means nothing", svc("a", "10.96.0.1", externalLocal), 0, false, false},
		{"ETP Local on a NodePort Service", svc("a", "10.96.0.1", nodePort(30000), externalLocal), 0, false, true},
		{"ITP Local", svc("a", "10.96.0.1", internalLocal), 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := servicePorts([]*v1.Service{tt.svc}, v1.IPv4Protocol)[0]
			if sp.affinitySeconds != tt.affinity || sp.internalLocal != tt.internalLocal || sp.externalLocal != tt.externalLocal {
				t.Errorf("got affinity %d internalLocal %v externalLocal %v", sp.affinitySeconds, sp.internalLocal, sp.externalLocal)
			}
		})
	}
}

func TestEndpointsByPort(t *testing.T) {
	web := slice("web", ep{ip: "10.244.0.5", node: testNode}, ep{ip: "10.244.1.5", node: "node-b", terminating: true})
	// The same address terminating in one slice and ready in another: the ready copy wins.
	web2 := slice("web", ep{ip: "10.244.1.5", node: "node-b"}, ep{ip: "010.244.0.9"})
	web2.Name = "web-def"
	v6 := slice("web", ep{ip: "fd00::5", node: testNode})
	v6.Name, v6.AddressType = "web-v6", discovery.AddressTypeIPv6
	headless := slice("hl", ep{ip: "10.244.0.7"})
	headless.Labels[v1.IsHeadlessService] = ""
	noPort := slice("np", ep{ip: "10.244.0.8"})
	noPort.Ports[0].Port = nil

	got := endpointsByPort([]*discovery.EndpointSlice{web, web2, v6, headless, noPort}, v1.IPv4Protocol, testNode)
	if len(got) != 1 {
		t.Fatalf("got endpoints for %d ports, want 1: %v", len(got), got)
	}
	var list []string
	for _, e := range got[portName{NamespacedName: types.NamespacedName{Namespace: "ns1", Name: "web"}, Port: "p80", Protocol: v1.ProtocolTCP}] {
		list = append(list, fmt.Sprintf("%s local=%v ready=%v terminating=%v", e, e.local, e.ready, e.terminating))
	}
	want := []string{
		"10.244.0.5:8080 local=true ready=true terminating=false",
		"10.244.0.9:8080 local=false ready=true terminating=false",
		"10.244.1.5:8080 local=false ready=true terminating=false",
	}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Errorf("got\n%q\nwant\n%q", list, want)
	}
}
