package agent

import (
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestDNSService(t *testing.T) {
	s := dnsService("10.96.0.10")
	if s.Namespace != "kube-system" || s.Name != "kube-dns" || s.Spec.ClusterIP != "10.96.0.10" || s.Spec.Selector != nil {
		t.Errorf("service %s/%s clusterIP %s selector %v", s.Namespace, s.Name, s.Spec.ClusterIP, s.Spec.Selector)
	}
	for k, v := range map[string]string{"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"} {
		if s.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, s.Labels[k], v)
		}
	}
	want := []corev1.ServicePort{
		{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53, TargetPort: intstr.FromInt32(53)},
		{Name: "dns-tcp", Protocol: corev1.ProtocolTCP, Port: 53, TargetPort: intstr.FromInt32(53)},
		{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: 9153, TargetPort: intstr.FromInt32(9153)},
	}
	if !portsEqual(s.Spec.Ports, want) {
		t.Errorf("ports %+v", s.Spec.Ports)
	}
}

func TestDNSSlice(t *testing.T) {
	sl := dnsSlice(nil, "node-1", netip.MustParseAddr("192.168.251.1"))
	if sl.Name != "kube-dns-node-1" || sl.Labels["kubernetes.io/service-name"] != "kube-dns" || sl.Labels["endpointslice.kubernetes.io/managed-by"] != dnsManagedBy {
		t.Errorf("slice %s labels %v", sl.Name, sl.Labels)
	}
	if sl.AddressType != "IPv4" || len(sl.Endpoints) != 1 || sl.Endpoints[0].Addresses[0] != "192.168.251.1" || *sl.Endpoints[0].NodeName != "node-1" || !*sl.Endpoints[0].Conditions.Ready {
		t.Errorf("endpoints %+v", sl.Endpoints)
	}
	if len(sl.Ports) != 3 || *sl.Ports[0].Name != "dns" || *sl.Ports[0].Protocol != corev1.ProtocolUDP || *sl.Ports[0].Port != 53 {
		t.Errorf("ports %+v", sl.Ports)
	}
	if v6 := dnsSlice(nil, "n", netip.MustParseAddr("fd00::1")); v6.AddressType != "IPv6" {
		t.Errorf("IPv6 slice has address type %s", v6.AddressType)
	}
	long := dnsSliceName(strings.Repeat("n", 80))
	if len(long) > 63 || !strings.HasPrefix(long, "kube-dns-") {
		t.Errorf("long node's slice name %q", long)
	}
}

func TestMergeService(t *testing.T) {
	want := dnsService("10.96.0.10")
	tests := []struct {
		name    string
		cur     *corev1.Service
		changed bool
	}{
		{name: "same", cur: dnsService("10.96.0.10")},
		{name: "other clusterIP only", cur: dnsService("10.96.0.20")},
		{name: "selector dropped", cur: func() *corev1.Service {
			s := dnsService("10.96.0.10")
			s.Spec.Selector = map[string]string{"k8s-app": "kube-dns"}
			return s
		}(), changed: true},
		{name: "missing port", cur: func() *corev1.Service { s := dnsService("10.96.0.10"); s.Spec.Ports = s.Spec.Ports[:2]; return s }(), changed: true},
		{name: "extra label kept", cur: func() *corev1.Service { s := dnsService("10.96.0.10"); s.Labels["x"] = "y"; return s }()},
		{name: "missing label", cur: func() *corev1.Service { s := dnsService("10.96.0.10"); s.Labels = nil; return s }(), changed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, changed := mergeService(tt.cur, want)
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if out.Spec.Selector != nil || !portsEqual(out.Spec.Ports, want.Spec.Ports) || out.Labels["k8s-app"] != "kube-dns" {
				t.Errorf("merged %+v", out)
			}
			if out.Spec.ClusterIP != tt.cur.Spec.ClusterIP {
				t.Errorf("clusterIP changed to %s", out.Spec.ClusterIP)
			}
		})
	}
}
