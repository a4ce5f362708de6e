package bootstrap

import (
	"context"
	"net"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	client := fake.NewClientset()
	// The first namespace create fails once: Run retries.
	failed := false
	client.PrependReactor("create", "namespaces", func(k8stesting.Action) (bool, runtime.Object, error) {
		if !failed {
			failed = true
			return true, nil, context.DeadlineExceeded
		}
		return false, nil, nil
	})
	if err := Run(ctx, client, net.ParseIP("192.0.2.10"), 6443); err != nil {
		t.Fatal(err)
	}
	for _, ns := range SystemNamespaces {
		if _, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{}); err != nil {
			t.Errorf("namespace %s: %v", ns, err)
		}
	}
	svc, err := client.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := svc.Spec.Ports[0]
	if svc.Spec.ClusterIP != "10.96.0.1" || p.Name != "https" || p.Port != 443 || p.TargetPort.IntValue() != 6443 || svc.Labels["component"] != "apiserver" {
		t.Errorf("service %+v", svc)
	}
	ep, err := client.CoreV1().Endpoints("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Subsets[0].Addresses[0].IP != "192.0.2.10" || ep.Subsets[0].Ports[0].Port != 6443 || ep.Labels[discoveryv1.LabelSkipMirror] != "true" {
		t.Errorf("endpoints %+v", ep)
	}
	slice, err := client.DiscoveryV1().EndpointSlices("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if slice.AddressType != discoveryv1.AddressTypeIPv4 || slice.Labels[discoveryv1.LabelServiceName] != "kubernetes" ||
		slice.Endpoints[0].Addresses[0] != "192.0.2.10" || !*slice.Endpoints[0].Conditions.Ready || *slice.Ports[0].Port != 6443 {
		t.Errorf("slice %+v", slice)
	}

	// Drift is repaired, and a second run is a no-op.
	ep.Subsets[0].Addresses[0].IP = "192.0.2.99"
	if _, err := client.CoreV1().Endpoints("default").Update(ctx, ep, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	b := &bootstrapper{client: client, ip: net.ParseIP("192.0.2.10"), port: 6443, serviceIP: net.ParseIP("10.96.0.1")}
	if err := b.ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.ensure(ctx); err != nil {
		t.Fatal(err)
	}
	ep, _ = client.CoreV1().Endpoints("default").Get(ctx, "kubernetes", metav1.GetOptions{})
	if ep.Subsets[0].Addresses[0].IP != "192.0.2.10" {
		t.Errorf("endpoints not repaired: %+v", ep.Subsets)
	}
}

func TestRunLoopbackSkipsEndpoints(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := fake.NewClientset()
	if err := Run(ctx, client, net.ParseIP("127.0.0.1"), 6443); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Services("default").Get(ctx, "kubernetes", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if list, _ := client.CoreV1().Endpoints("default").List(ctx, metav1.ListOptions{}); len(list.Items) != 0 {
		t.Errorf("loopback endpoints created: %+v", list.Items)
	}
}

func TestSliceFromEndpointsIPv6(t *testing.T) {
	ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Name: "kubernetes", Namespace: "default"},
		Subsets: []corev1.EndpointSubset{{Addresses: []corev1.EndpointAddress{{IP: "2001:db8::1"}}, NotReadyAddresses: []corev1.EndpointAddress{{IP: "2001:db8::2"}}}}}
	slice := sliceFromEndpoints(ep)
	if slice.AddressType != discoveryv1.AddressTypeIPv6 || len(slice.Endpoints) != 2 || *slice.Endpoints[1].Conditions.Ready {
		t.Errorf("slice %+v", slice)
	}
}
