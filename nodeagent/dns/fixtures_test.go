package dns

import (
	"context"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/cache"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

var fixtureTime = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

type svcPort struct {
	name  string
	proto corev1.Protocol
	port  int32
}

func service(ns, name string, clusterIPs []string, ports ...svcPort) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeClusterIP, ClusterIPs: clusterIPs},
	}
	if len(clusterIPs) > 0 {
		svc.Spec.ClusterIP = clusterIPs[0]
	}
	for _, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: p.name, Protocol: p.proto, Port: p.port, TargetPort: intstr.FromInt32(p.port)})
	}
	return svc
}

func externalName(ns, name, target string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: target},
	}
}

type endpoint struct {
	ip       string
	hostname string
	ready    *bool
}

func slice(ns, name, svcName string, family discoveryv1.AddressType, ports []svcPort, eps ...endpoint) *discoveryv1.EndpointSlice {
	es := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
			Labels: map[string]string{discoveryv1.LabelServiceName: svcName}},
		AddressType: family,
	}
	for _, p := range ports {
		es.Ports = append(es.Ports, discoveryv1.EndpointPort{Name: ptr.To(p.name), Protocol: ptr.To(p.proto), Port: ptr.To(p.port)})
	}
	for _, e := range eps {
		ep := discoveryv1.Endpoint{Addresses: []string{e.ip}, Conditions: discoveryv1.EndpointConditions{Ready: e.ready}}
		if e.hostname != "" {
			ep.Hostname = ptr.To(e.hostname)
		}
		es.Endpoints = append(es.Endpoints, ep)
	}
	return es
}

// newTestStore fills in-memory indexers (the informers' own) with objs.
func newTestStore(t *testing.T, objs ...any) *store {
	t.Helper()
	s := &store{
		services:   cache.NewIndexer(cache.MetaNamespaceKeyFunc, serviceIndexers()),
		slices:     cache.NewIndexer(cache.MetaNamespaceKeyFunc, sliceIndexers()),
		namespaces: cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{}),
		clock:      testingclock.NewFakePassiveClock(fixtureTime),
	}
	s.touch()
	for _, o := range objs {
		var err error
		switch o.(type) {
		case *corev1.Service:
			err = s.services.Add(o)
		case *discoveryv1.EndpointSlice:
			err = s.slices.Add(o)
		case *corev1.Namespace:
			err = s.namespaces.Add(o)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// fixtures is a small cluster: see the comments for what each object tests.
func fixtures() []any {
	http := svcPort{"http", corev1.ProtocolTCP, 80}
	dnsPort := svcPort{"dns", corev1.ProtocolUDP, 53}
	pg := svcPort{"pg", corev1.ProtocolTCP, 5432}
	return []any{
		namespace("ns1"), namespace("kube-system"),
		service("kube-system", "kube-dns", []string{"10.96.0.10"}, dnsPort),
		// A ClusterIP service with two named ports and one endpoint.
		service("ns1", "web", []string{"10.96.0.20"}, http, dnsPort),
		slice("ns1", "web-abc", "web", discoveryv1.AddressTypeIPv4, []svcPort{http}, endpoint{ip: "10.244.0.9"}),
		// A dual-stack service.
		service("ns1", "dual", []string{"10.96.0.30", "fd00::30"}, http),
		// A headless service: a StatefulSet pod with a hostname, one without, one not ready.
		service("ns1", "db", []string{corev1.ClusterIPNone}, pg),
		slice("ns1", "db-abc", "db", discoveryv1.AddressTypeIPv4, []svcPort{pg},
			endpoint{ip: "10.244.0.5", hostname: "db-0", ready: ptr.To(true)},
			endpoint{ip: "10.244.0.6"},
			endpoint{ip: "10.244.0.7", hostname: "db-2", ready: ptr.To(false)}),
		// Headless without endpoints, and headless without ports.
		service("ns1", "empty", []string{corev1.ClusterIPNone}),
		service("ns1", "noports", []string{corev1.ClusterIPNone}),
		slice("ns1", "noports-abc", "noports", discoveryv1.AddressTypeIPv4, nil, endpoint{ip: "10.244.1.1"}),
		// ExternalName services, outside and inside the zone.
		externalName("ns1", "ext", "www.example.com"),
		externalName("ns1", "inner", "web.ns1.svc.cluster.local"),
		externalName("ns1", "loop", "loop.ns1.svc.cluster.local"),
	}
}

func testResolver(t *testing.T, mutate func(*Config), objs ...any) *resolver {
	t.Helper()
	cfg := Config{}
	if mutate != nil {
		mutate(&cfg)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return &resolver{cfg: cfg, zone: cfg.ClusterDomain + ".", store: newTestStore(t, objs...)}
}

// fakeUpstream answers every name with one A (or AAAA) record with a long TTL.
func fakeUpstream(_ context.Context, name string, qtype uint16) (*mdns.Msg, error) {
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	if qtype == mdns.TypeA {
		rr, _ := mdns.NewRR(name + " 3600 IN A 192.0.2.53")
		m.Answer = append(m.Answer, rr)
	}
	return m, nil
}

// rrs renders records as single-space separated text.
func rrs(in []mdns.RR) []string {
	var out []string
	for _, rr := range in {
		out = append(out, strings.Join(strings.Fields(rr.String()), " "))
	}
	return out
}

func question(name string, qtype uint16) *mdns.Msg {
	m := new(mdns.Msg)
	m.SetQuestion(name, qtype)
	return m
}
