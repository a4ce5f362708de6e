package envvars

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func svc(ns, name, ip string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{ClusterIP: ip, Ports: ports},
	}
}

func TestServiceEnv(t *testing.T) {
	kube := svc("default", "kubernetes", "10.96.0.1", corev1.ServicePort{Name: "https", Port: 443, Protocol: corev1.ProtocolTCP})
	kubeEnv := map[string]string{
		"KUBERNETES_SERVICE_HOST":       "10.96.0.1",
		"KUBERNETES_SERVICE_PORT":       "443",
		"KUBERNETES_SERVICE_PORT_HTTPS": "443",
		"KUBERNETES_PORT":               "tcp://10.96.0.1:443",
		"KUBERNETES_PORT_443_TCP":       "tcp://10.96.0.1:443",
		"KUBERNETES_PORT_443_TCP_PROTO": "tcp",
		"KUBERNETES_PORT_443_TCP_PORT":  "443",
		"KUBERNETES_PORT_443_TCP_ADDR":  "10.96.0.1",
	}
	web := svc("shop", "my-web", "10.96.3.4",
		corev1.ServicePort{Port: 80},
		corev1.ServicePort{Name: "dns-udp", Port: 53, Protocol: corev1.ProtocolUDP})
	webEnv := map[string]string{
		"MY_WEB_SERVICE_HOST":         "10.96.3.4",
		"MY_WEB_SERVICE_PORT":         "80",
		"MY_WEB_SERVICE_PORT_DNS_UDP": "53",
		"MY_WEB_PORT":                 "tcp://10.96.3.4:80",
		"MY_WEB_PORT_80_TCP":          "tcp://10.96.3.4:80",
		"MY_WEB_PORT_80_TCP_PROTO":    "tcp",
		"MY_WEB_PORT_80_TCP_PORT":     "80",
		"MY_WEB_PORT_80_TCP_ADDR":     "10.96.3.4",
		"MY_WEB_PORT_53_UDP":          "udp://10.96.3.4:53",
		"MY_WEB_PORT_53_UDP_PROTO":    "udp",
		"MY_WEB_PORT_53_UDP_PORT":     "53",
		"MY_WEB_PORT_53_UDP_ADDR":     "10.96.3.4",
	}
	v6 := svc("shop", "v6", "fd00::10", corev1.ServicePort{Port: 8080})
	headless := svc("shop", "headless", "None", corev1.ServicePort{Port: 80})
	other := svc("elsewhere", "other", "10.96.9.9", corev1.ServicePort{Port: 80})
	merge := func(ms ...map[string]string) map[string]string {
		out := map[string]string{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name     string
		services []*corev1.Service
		ns       string
		links    bool
		want     map[string]string
	}{
		{name: "links on", services: []*corev1.Service{kube, web, headless, other}, ns: "shop", links: true, want: merge(kubeEnv, webEnv)},
		{name: "links off keeps kubernetes", services: []*corev1.Service{kube, web}, ns: "shop", want: kubeEnv},
		{name: "default namespace pod", services: []*corev1.Service{kube, web}, ns: "default", links: true, want: kubeEnv},
		{name: "ipv6 brackets", services: []*corev1.Service{v6}, ns: "shop", links: true, want: map[string]string{
			"V6_SERVICE_HOST": "fd00::10", "V6_SERVICE_PORT": "8080", "V6_PORT": "tcp://[fd00::10]:8080",
			"V6_PORT_8080_TCP": "tcp://[fd00::10]:8080", "V6_PORT_8080_TCP_PROTO": "tcp",
			"V6_PORT_8080_TCP_PORT": "8080", "V6_PORT_8080_TCP_ADDR": "fd00::10",
		}},
		{name: "nothing", ns: "shop", links: true, want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ServiceEnv(tt.services, tt.ns, tt.links)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
