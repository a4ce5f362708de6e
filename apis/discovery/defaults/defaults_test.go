package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestEndpointPortDefaults(t *testing.T) {
	s := runtime.NewScheme()
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	eps := &discoveryv1.EndpointSlice{Ports: []discoveryv1.EndpointPort{{}, {Name: ptr.To("dns"), Protocol: ptr.To(corev1.ProtocolUDP)}}}
	s.Default(eps)
	if *eps.Ports[0].Name != "" || *eps.Ports[0].Protocol != corev1.ProtocolTCP {
		t.Errorf("port 0 = %+v", eps.Ports[0])
	}
	if *eps.Ports[1].Name != "dns" || *eps.Ports[1].Protocol != corev1.ProtocolUDP {
		t.Errorf("port 1 = %+v", eps.Ports[1])
	}
}
