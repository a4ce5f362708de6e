package endpointslice

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validSlice() *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: "web-abc", Namespace: "default", ResourceVersion: "1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
		AddressType: discoveryv1.AddressTypeIPv4,
		Endpoints: []discoveryv1.Endpoint{{
			Addresses: []string{"10.0.0.1", "10.0.0.2"}, Hostname: ptr.To("pod-1"), NodeName: ptr.To("node-1"),
			Hints: &discoveryv1.EndpointHints{ForZones: []discoveryv1.ForZone{{Name: "zone-a"}}},
		}},
		Ports: []discoveryv1.EndpointPort{{Name: ptr.To("http"), Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To[int32](80)}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*discoveryv1.EndpointSlice)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*discoveryv1.EndpointSlice) {}},
		{name: "valid fqdn", mutate: func(eps *discoveryv1.EndpointSlice) {
			eps.AddressType, eps.Endpoints[0].Addresses = discoveryv1.AddressTypeFQDN, []string{"a.example.com"}
		}},
		{name: "addressType required", mutate: func(eps *discoveryv1.EndpointSlice) { eps.AddressType = "" }, field: "addressType", typ: field.ErrorTypeRequired},
		{name: "bad addressType", mutate: func(eps *discoveryv1.EndpointSlice) { eps.AddressType = "IPv5" }, field: "addressType", typ: field.ErrorTypeNotSupported},
		{name: "no addresses", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].Addresses = nil }, field: "endpoints[0].addresses", typ: field.ErrorTypeRequired},
		{name: "too many addresses", mutate: func(eps *discoveryv1.EndpointSlice) {
			eps.Endpoints[0].Addresses = make([]string, 101)
			for i := range eps.Endpoints[0].Addresses {
				eps.Endpoints[0].Addresses[i] = "10.0.1.1"
			}
		}, field: "endpoints[0].addresses", typ: field.ErrorTypeTooMany},
		{name: "too many endpoints", mutate: func(eps *discoveryv1.EndpointSlice) {
			eps.Endpoints = make([]discoveryv1.Endpoint, 1001)
			for i := range eps.Endpoints {
				eps.Endpoints[i].Addresses = []string{"10.0.1.1"}
			}
		}, field: "endpoints", typ: field.ErrorTypeTooMany},
		{name: "bad ip", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].Addresses[1] = "10.0.0" }, field: "endpoints[0].addresses[1]", typ: field.ErrorTypeInvalid},
		{name: "ipv6 in ipv4 slice", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].Addresses[0] = "fd00::1" }, field: "endpoints[0].addresses", typ: field.ErrorTypeInvalid},
		{name: "loopback", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].Addresses[0] = "127.0.0.1" }, field: "endpoints[0].addresses[0]", typ: field.ErrorTypeInvalid},
		{name: "bad fqdn", mutate: func(eps *discoveryv1.EndpointSlice) {
			eps.AddressType, eps.Endpoints[0].Addresses = discoveryv1.AddressTypeFQDN, []string{"nodots"}
		}, field: "endpoints[0].addresses[0]", typ: field.ErrorTypeInvalid},
		{name: "bad hostname", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].Hostname = ptr.To("a.b") }, field: "endpoints[0].hostname", typ: field.ErrorTypeInvalid},
		{name: "bad node name", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Endpoints[0].NodeName = ptr.To("Node_1") }, field: "endpoints[0].nodeName", typ: field.ErrorTypeInvalid},
		{name: "duplicate zone hint", mutate: func(eps *discoveryv1.EndpointSlice) {
			eps.Endpoints[0].Hints.ForZones = append(eps.Endpoints[0].Hints.ForZones, discoveryv1.ForZone{Name: "zone-a"})
		}, field: "endpoints[0].hints.forZones[1].name", typ: field.ErrorTypeDuplicate},
		{name: "bad port name", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Ports[0].Name = ptr.To("HTTP") }, field: "ports[0].name", typ: field.ErrorTypeInvalid},
		{name: "duplicate port name", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Ports = append(eps.Ports, eps.Ports[0]) }, field: "ports[1].name", typ: field.ErrorTypeDuplicate},
		{name: "protocol required", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Ports[0].Protocol = nil }, field: "ports[0].protocol", typ: field.ErrorTypeRequired},
		{name: "bad protocol", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Ports[0].Protocol = ptr.To(corev1.Protocol("ICMP")) }, field: "ports[0].protocol", typ: field.ErrorTypeNotSupported},
		{name: "bad app protocol", mutate: func(eps *discoveryv1.EndpointSlice) { eps.Ports[0].AppProtocol = ptr.To("a/b/c") }, field: "ports[0].appProtocol", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eps := validSlice()
			tc.mutate(eps)
			expectOne(t, Validate(eps), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validSlice()
	old.Endpoints[0].Addresses[0] = "127.0.0.1" // accepted by an older server
	eps := old.DeepCopy()
	eps.Labels["x"] = "y"
	expectOne(t, ValidateUpdate(eps, old), "", "")
	eps.AddressType = discoveryv1.AddressTypeIPv6
	expectOne(t, ValidateUpdate(eps, old), "addressType", field.ErrorTypeInvalid)
}

func TestStrategy(t *testing.T) {
	eps := validSlice()
	eps.Endpoints[0].DeprecatedTopology = map[string]string{"kubernetes.io/hostname": "node-1"}
	Strategy.PrepareForCreate(context.Background(), eps)
	if eps.Generation != 1 || eps.Endpoints[0].DeprecatedTopology != nil {
		t.Fatalf("create: generation %d, topology %v", eps.Generation, eps.Endpoints[0].DeprecatedTopology)
	}
	labels := eps.DeepCopy()
	labels.Labels["x"] = "y"
	Strategy.PrepareForUpdate(context.Background(), labels, eps)
	if labels.Generation != 2 {
		t.Fatalf("label change must bump generation, got %d", labels.Generation)
	}
	ann := eps.DeepCopy()
	ann.Annotations = map[string]string{"x": "y"}
	Strategy.PrepareForUpdate(context.Background(), ann, eps)
	if ann.Generation != 1 {
		t.Fatalf("annotation change must not bump generation, got %d", ann.Generation)
	}
	if w := Strategy.WarningsOnCreate(context.Background(), &discoveryv1.EndpointSlice{AddressType: discoveryv1.AddressTypeFQDN}); len(w) != 1 {
		t.Fatalf("FQDN slices must warn, got %v", w)
	}
}

func TestTable(t *testing.T) {
	eps := validSlice()
	eps.Endpoints = append(eps.Endpoints, discoveryv1.Endpoint{Addresses: []string{"10.0.0.3", "10.0.0.4"}})
	eps.Ports = append(eps.Ports, discoveryv1.EndpointPort{Name: ptr.To("dns")}, discoveryv1.EndpointPort{})
	tbl, err := NewTable().ConvertToTable(context.Background(), eps, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"web-abc", "IPv4", "80,dns,*", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more..."}
	for i, w := range want {
		if tbl.Rows[0].Cells[i] != w {
			t.Errorf("cell %d = %v, want %v", i, tbl.Rows[0].Cells[i], w)
		}
	}
	empty, _ := NewTable().ConvertToTable(context.Background(), &discoveryv1.EndpointSlice{}, nil)
	if empty.Rows[0].Cells[2] != "<unset>" || empty.Rows[0].Cells[3] != "<unset>" {
		t.Errorf("empty slice cells = %v", empty.Rows[0].Cells)
	}
}

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
