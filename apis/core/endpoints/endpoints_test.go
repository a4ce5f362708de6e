package endpoints

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestValidate(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "ep", Namespace: "ns"}
	cases := []struct {
		name    string
		subsets []corev1.EndpointSubset
		path    string
	}{
		{"valid", []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1", NodeName: ptr.To("node-1"), Hostname: "web-0"}},
			Ports: []corev1.EndpointPort{{Name: "a", Port: 80, Protocol: "TCP"}, {Name: "b", Port: 81, Protocol: "UDP"}}}}, ""},
		{"no addresses", []corev1.EndpointSubset{{}}, "subsets[0]"},
		{"bad ip", []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "nope"}}}}, "subsets[0].addresses[0].ip"},
		{"loopback", []corev1.EndpointSubset{{NotReadyAddresses: []corev1.EndpointAddress{{IP: "127.0.0.2"}}}}, "subsets[0].notReadyAddresses[0].ip"},
		{"unnamed ports", []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}},
			Ports: []corev1.EndpointPort{{Port: 80, Protocol: "TCP"}, {Name: "b", Port: 81, Protocol: "TCP"}}}}, "subsets[0].ports[0].name"},
		{"bad protocol", []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}}, Ports: []corev1.EndpointPort{{Port: 80, Protocol: "X"}}}}, "subsets[0].ports[0].protocol"},
		{"bad hostname", []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1", Hostname: "a.b"}}}}, "subsets[0].addresses[0].hostname"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&corev1.Endpoints{ObjectMeta: meta, Subsets: tc.subsets})
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
	// Unchanged invalid subsets of a stored object are accepted on update.
	old := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: "ep", Namespace: "ns", ResourceVersion: "1"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "127.0.0.1"}}}}}
	update := old.DeepCopy()
	update.Labels = map[string]string{"a": "b"}
	if errs := ValidateUpdate(update, old); len(errs) != 0 {
		t.Fatalf("unchanged subsets: %v", errs)
	}
}

func TestFormatEndpoints(t *testing.T) {
	ep := &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{
		Addresses: []corev1.EndpointAddress{{IP: "10.0.0.1"}, {IP: "10.0.0.2"}},
		Ports:     []corev1.EndpointPort{{Port: 80}, {Port: 443}},
	}}}
	if got := formatEndpoints(ep); got != "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more..." {
		t.Errorf("got %q", got)
	}
	if got := formatEndpoints(&corev1.Endpoints{}); got != "<none>" {
		t.Errorf("empty: %q", got)
	}
	headless := &corev1.Endpoints{Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "fd00::1"}}}}}
	if got := formatEndpoints(headless); got != "fd00::1" {
		t.Errorf("headless: %q", got)
	}
}
