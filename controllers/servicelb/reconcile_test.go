package servicelb

import (
	"net/netip"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

func TestChoose(t *testing.T) {
	pool, err := ParsePool("10.0.0.1-10.0.0.3")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddr
	svc := func(requested string) *corev1.Service {
		return &corev1.Service{Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerIP: requested}}
	}
	tests := []struct {
		name    string
		svc     *corev1.Service
		current string
		used    []string
		want    string
		wantErr string
	}{
		{name: "new gets lowest", svc: svc(""), want: "10.0.0.1"},
		{name: "keeps current", svc: svc(""), current: "10.0.0.3", used: []string{"10.0.0.1"}, want: "10.0.0.3"},
		{name: "current taken by another moves", svc: svc(""), current: "10.0.0.1", used: []string{"10.0.0.1"}, want: "10.0.0.2"},
		{name: "current outside the pool moves", svc: svc(""), current: "192.168.0.1", want: "10.0.0.1"},
		{name: "requested free", svc: svc("10.0.0.2"), current: "10.0.0.1", want: "10.0.0.2"},
		{name: "requested in use", svc: svc("10.0.0.2"), used: []string{"10.0.0.2"}, wantErr: "in use"},
		{name: "requested outside the pool", svc: svc("10.9.9.9"), wantErr: "not in the pool"},
		{name: "requested garbage", svc: svc("x"), wantErr: "not an IP"},
		{name: "exhausted", svc: svc(""), used: []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"}, wantErr: "no address left"},
		{name: "ipv6 service, ipv4 pool", svc: &corev1.Service{Spec: corev1.ServiceSpec{IPFamilies: []corev1.IPFamily{corev1.IPv6Protocol}}}, wantErr: "no address left"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := map[netip.Addr]bool{}
			for _, u := range tt.used {
				used[addr(u)] = true
			}
			var current netip.Addr
			if tt.current != "" {
				current = addr(tt.current)
			}
			got, err := choose(pool, tt.svc, current, used)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != addr(tt.want) {
				t.Fatalf("choose = %v, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestWantsLoadBalancer(t *testing.T) {
	lb := corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}
	tests := []struct {
		name string
		spec corev1.ServiceSpec
		want bool
	}{
		{name: "no class", spec: lb, want: true},
		{name: "our class", spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To(Class)}, want: true},
		{name: "other class", spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, LoadBalancerClass: ptr.To("example.com/lb")}},
		{name: "cluster IP", spec: corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP}},
		{name: "node port", spec: corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wantsLoadBalancer(&corev1.Service{Spec: tt.spec}); got != tt.want {
				t.Errorf("wantsLoadBalancer = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatusEqual(t *testing.T) {
	a := statusFor(netip.MustParseAddr("10.0.0.1"))
	if !statusEqual(a, statusFor(netip.MustParseAddr("10.0.0.1"))) {
		t.Error("same status differs")
	}
	if statusEqual(a, statusFor(netip.MustParseAddr("10.0.0.2"))) {
		t.Error("different addresses equal")
	}
	noMode := corev1.LoadBalancerStatus{Ingress: []corev1.LoadBalancerIngress{{IP: "10.0.0.1"}}}
	if statusEqual(a, noMode) {
		t.Error("status without ipMode equals one with VIP")
	}
	if statusEqual(a, corev1.LoadBalancerStatus{}) {
		t.Error("empty status equals a set one")
	}
}
