package agent

import (
	"context"
	"net/netip"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"
)

func TestEnsureDNSService(t *testing.T) {
	ctx := klog.NewContext(context.Background(), klog.Background())
	client := srv.Client(t)
	ip := netip.MustParseAddr("192.168.251.1")
	for i := range 2 { // idempotent
		if err := ensureDNSService(ctx, client, "10.96.0.10", "node-a", ip); err != nil {
			t.Fatalf("ensure #%d: %v", i+1, err)
		}
	}
	svc, err := client.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Spec.ClusterIP != "10.96.0.10" || len(svc.Spec.Ports) != 3 || svc.Spec.Selector != nil || svc.Labels["k8s-app"] != "kube-dns" {
		t.Errorf("service %+v", svc)
	}
	sl, err := client.DiscoveryV1().EndpointSlices("kube-system").Get(ctx, "kube-dns-node-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first := sl.ResourceVersion
	if sl.Endpoints[0].Addresses[0] != "192.168.251.1" || len(sl.OwnerReferences) != 1 || sl.OwnerReferences[0].UID != svc.UID {
		t.Errorf("slice %+v", sl)
	}
	if err := ensureDNSService(ctx, client, "10.96.0.10", "node-a", ip); err != nil {
		t.Fatal(err)
	}
	if sl, _ = client.DiscoveryV1().EndpointSlices("kube-system").Get(ctx, "kube-dns-node-a", metav1.GetOptions{}); sl.ResourceVersion != first {
		t.Errorf("an unchanged slice was written again (resourceVersion %s -> %s)", first, sl.ResourceVersion)
	}

	// A second node adds its own endpoints; a new node IP replaces the old one.
	if err := ensureDNSService(ctx, client, "10.96.0.10", "node-b", netip.MustParseAddr("192.168.251.2")); err != nil {
		t.Fatal(err)
	}
	if err := ensureDNSService(ctx, client, "10.96.0.10", "node-a", netip.MustParseAddr("192.168.251.9")); err != nil {
		t.Fatal(err)
	}
	slices, err := client.DiscoveryV1().EndpointSlices("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=kube-dns"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range slices.Items {
		got[s.Name] = s.Endpoints[0].Addresses[0]
	}
	if got["kube-dns-node-a"] != "192.168.251.9" || got["kube-dns-node-b"] != "192.168.251.2" || len(got) != 2 {
		t.Errorf("slices %v", got)
	}

	// Someone's edits are put back; the node's slice goes when it stops.
	svc.Spec.Selector = map[string]string{"k8s-app": "kube-dns"}
	svc.Spec.Ports = svc.Spec.Ports[:1]
	if _, err := client.CoreV1().Services("kube-system").Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := ensureDNSService(ctx, client, "10.96.0.10", "node-a", netip.MustParseAddr("192.168.251.9")); err != nil {
		t.Fatal(err)
	}
	if svc, _ = client.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{}); svc.Spec.Selector != nil || len(svc.Spec.Ports) != 3 {
		t.Errorf("service not repaired: selector %v ports %v", svc.Spec.Selector, svc.Spec.Ports)
	}
	if err := deleteDNSSlice(ctx, client, "node-b"); err != nil {
		t.Fatal(err)
	}
	if err := deleteDNSSlice(ctx, client, "node-b"); err != nil {
		t.Errorf("deleting a deleted slice: %v", err)
	}
}
