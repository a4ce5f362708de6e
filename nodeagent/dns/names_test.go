package dns

import (
	"testing"

	"k8s.io/utils/ptr"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		base    string
		want    query
		wantErr bool
	}{
		{base: "", want: query{}},
		{base: "svc", want: query{}},
		{base: "pod", want: query{}},
		{base: "dns-version", wantErr: true},
		{base: "foo.bar", wantErr: true},
		{base: "ns.svc", want: query{namespace: "ns", kind: kindService}},
		{base: "web.ns.svc", want: query{service: "web", namespace: "ns", kind: kindService}},
		{base: "web-0.web.ns.svc", want: query{endpoint: "web-0", service: "web", namespace: "ns", kind: kindService}},
		{base: "_http._tcp.web.ns.svc", want: query{port: "http", protocol: "tcp", service: "web", namespace: "ns", kind: kindService}},
		{base: "http.tcp.web.ns.svc", want: query{port: "http", protocol: "tcp", service: "web", namespace: "ns", kind: kindService}},
		{base: "a._http._tcp.web.ns.svc", wantErr: true},
		{base: "1-2-3-4.ns.pod", want: query{service: "1-2-3-4", namespace: "ns", kind: kindPod}},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			got, err := parseQuery(tt.base)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTrimZone(t *testing.T) {
	tests := []struct{ name, zone, want string }{
		{"cluster.local.", "cluster.local.", ""},
		{"web.ns.svc.cluster.local.", "cluster.local.", "web.ns.svc"},
		{"svc.cluster.local.", "cluster.local.", "svc"},
	}
	for _, tt := range tests {
		if got := trimZone(tt.name, tt.zone); got != tt.want {
			t.Errorf("trimZone(%q, %q) = %q, want %q", tt.name, tt.zone, got, tt.want)
		}
	}
}

func TestEndpointHostname(t *testing.T) {
	tests := []struct {
		hostname *string
		ip, want string
	}{
		{ptr.To("web-0"), "10.0.0.1", "web-0"},
		{ptr.To(""), "10.0.0.1", "10-0-0-1"},
		{nil, "10.0.0.1", "10-0-0-1"},
		{nil, "fd00::1", "fd00--1"},
	}
	for _, tt := range tests {
		if got := endpointHostname(tt.hostname, tt.ip); got != tt.want {
			t.Errorf("endpointHostname(%v, %q) = %q, want %q", tt.hostname, tt.ip, got, tt.want)
		}
	}
}

func TestPodAddress(t *testing.T) {
	tests := []struct {
		label, want string
		ok          bool
	}{
		{"10-244-1-5", "10.244.1.5", true},
		{"fd00--1", "fd00::1", true},
		{"2001-db8-0-0-0-0-0-1", "2001:db8::1", true},
		{"10-244-1", "", false},
		{"10-244-1-500", "", false},
		{"web", "", false},
	}
	for _, tt := range tests {
		got, ok := podAddress(tt.label)
		if ok != tt.ok || (ok && got.String() != tt.want) {
			t.Errorf("podAddress(%q) = %v, %v; want %q, %v", tt.label, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReverseAddress(t *testing.T) {
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"10.0.96.10.in-addr.arpa.", "10.96.0.10", true},
		{"0.96.10.in-addr.arpa.", "", false},
		{"x.0.96.10.in-addr.arpa.", "", false},
		{"0.3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", "fd00::30", true},
		{"0.3.0.0.ip6.arpa.", "", false},
		{"in-addr.arpa.", "", false},
	}
	for _, tt := range tests {
		got, ok := reverseAddress(tt.name)
		if ok != tt.ok || (ok && got.String() != tt.want) {
			t.Errorf("reverseAddress(%q) = %v, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
