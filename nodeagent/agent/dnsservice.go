package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/utils/ptr"
)

// The cluster DNS Service, as kubeadm's CoreDNS addon names and labels it.
const (
	dnsNamespace   = metav1.NamespaceSystem
	dnsServiceName = "kube-dns"
	// dnsManagedBy marks the EndpointSlices the node agents keep (not the endpointslice
	// controller's: the Service has no selector).
	dnsManagedBy = "nodeagent.skiff.sh"
	dnsPort      = 53
	metricsPort  = 9153
)

func dnsLabels() map[string]string {
	return map[string]string{
		"k8s-app":                       "kube-dns",
		"kubernetes.io/cluster-service": "true",
		"kubernetes.io/name":            "CoreDNS",
	}
}

// dnsService is the selectorless kube-system/kube-dns Service at clusterIP.
func dnsService(clusterIP string) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name: dnsServiceName, Namespace: dnsNamespace, Labels: dnsLabels(),
			Annotations: map[string]string{"prometheus.io/port": "9153", "prometheus.io/scrape": "true"},
		},
		Spec: corev1.ServiceSpec{
			Type:      corev1.ServiceTypeClusterIP,
			ClusterIP: clusterIP,
			Ports:     dnsServicePorts(),
		},
	}
}

func dnsServicePorts() []corev1.ServicePort {
	return []corev1.ServicePort{
		{Name: "dns", Protocol: corev1.ProtocolUDP, Port: dnsPort, TargetPort: intstr.FromInt32(dnsPort)},
		{Name: "dns-tcp", Protocol: corev1.ProtocolTCP, Port: dnsPort, TargetPort: intstr.FromInt32(dnsPort)},
		{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: metricsPort, TargetPort: intstr.FromInt32(metricsPort)},
	}
}

// dnsSliceName is this node's EndpointSlice of kube-dns: kube-dns-<node>, hashed when too long.
func dnsSliceName(node string) string {
	name := dnsServiceName + "-" + node
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(node))
	return dnsServiceName + "-" + hex.EncodeToString(sum[:])[:16]
}

// dnsSlice is the EndpointSlice that sends kube-dns's traffic to the DNS server of node at ip.
func dnsSlice(svc *corev1.Service, node string, ip netip.Addr) *discoveryv1.EndpointSlice {
	family := discoveryv1.AddressTypeIPv4
	if ip.Is6() {
		family = discoveryv1.AddressTypeIPv6
	}
	labels := map[string]string{
		discoveryv1.LabelServiceName: dnsServiceName,
		discoveryv1.LabelManagedBy:   dnsManagedBy,
	}
	maps.Copy(labels, dnsLabels())
	var ports []discoveryv1.EndpointPort
	for _, p := range dnsServicePorts() {
		ports = append(ports, discoveryv1.EndpointPort{Name: ptr.To(p.Name), Protocol: ptr.To(p.Protocol), Port: ptr.To(p.TargetPort.IntVal)})
	}
	s := &discoveryv1.EndpointSlice{
		ObjectMeta:  metav1.ObjectMeta{Name: dnsSliceName(node), Namespace: dnsNamespace, Labels: labels},
		AddressType: family,
		Endpoints: []discoveryv1.Endpoint{{
			Addresses:  []string{ip.String()},
			Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(true), Serving: ptr.To(true), Terminating: ptr.To(false)},
			NodeName:   ptr.To(node),
		}},
		Ports: ports,
	}
	if svc != nil && svc.UID != "" {
		s.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Service", Name: svc.Name, UID: svc.UID}}
	}
	return s
}

// ensureDNSService creates or updates kube-system/kube-dns and this node's EndpointSlice of it.
// A kube-dns Service with another ClusterIP is kept (ClusterIPs are immutable), with a message.
func ensureDNSService(ctx context.Context, client kubernetes.Interface, clusterIP, node string, ip netip.Addr) error {
	logger := klog.FromContext(ctx)
	want := dnsService(clusterIP)
	services := client.CoreV1().Services(dnsNamespace)
	svc, err := services.Get(ctx, dnsServiceName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if svc, err = services.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating Service %s/%s: %w", dnsNamespace, dnsServiceName, err)
		}
		logger.Info("Created the cluster DNS Service", "service", klog.KObj(svc), "clusterIP", clusterIP)
	case err != nil:
		return err
	default:
		if svc.Spec.ClusterIP != clusterIP {
			logger.Info("The cluster DNS Service has another ClusterIP than --cluster-dns; pods' resolv.conf will not reach it",
				"service", klog.KObj(svc), "clusterIP", svc.Spec.ClusterIP, "clusterDNS", clusterIP)
		}
		if updated, changed := mergeService(svc, want); changed {
			if svc, err = services.Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
				return fmt.Errorf("updating Service %s/%s: %w", dnsNamespace, dnsServiceName, err)
			}
		}
	}

	want2 := dnsSlice(svc, node, ip)
	slices := client.DiscoveryV1().EndpointSlices(dnsNamespace)
	cur, err := slices.Get(ctx, want2.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		if _, err := slices.Create(ctx, want2, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating EndpointSlice %s/%s: %w", dnsNamespace, want2.Name, err)
		}
	case err != nil:
		return err
	case !sliceMatches(cur, want2):
		cur.Labels, cur.OwnerReferences = want2.Labels, want2.OwnerReferences
		cur.AddressType, cur.Endpoints, cur.Ports = want2.AddressType, want2.Endpoints, want2.Ports
		if _, err := slices.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("updating EndpointSlice %s/%s: %w", dnsNamespace, want2.Name, err)
		}
	}
	return nil
}

// mergeService returns cur with want's labels, annotations, ports and no selector, and whether
// that changed anything.
func mergeService(cur, want *corev1.Service) (*corev1.Service, bool) {
	out := cur.DeepCopy()
	if out.Labels == nil {
		out.Labels = map[string]string{}
	}
	maps.Copy(out.Labels, want.Labels)
	if out.Annotations == nil {
		out.Annotations = map[string]string{}
	}
	maps.Copy(out.Annotations, want.Annotations)
	out.Spec.Selector = nil
	out.Spec.Ports = want.Spec.Ports
	changed := !reflect.DeepEqual(out.Labels, cur.Labels) || !reflect.DeepEqual(out.Annotations, cur.Annotations) ||
		len(cur.Spec.Selector) > 0 || !portsEqual(cur.Spec.Ports, want.Spec.Ports)
	return out, changed
}

func portsEqual(a, b []corev1.ServicePort) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Protocol != b[i].Protocol || a[i].Port != b[i].Port || a[i].TargetPort != b[i].TargetPort {
			return false
		}
	}
	return true
}

func sliceMatches(cur, want *discoveryv1.EndpointSlice) bool {
	return reflect.DeepEqual(cur.Labels, want.Labels) && reflect.DeepEqual(cur.OwnerReferences, want.OwnerReferences) &&
		cur.AddressType == want.AddressType && reflect.DeepEqual(cur.Endpoints, want.Endpoints) && reflect.DeepEqual(cur.Ports, want.Ports)
}

// deleteDNSSlice removes this node's EndpointSlice of kube-dns, when the node stops serving DNS.
func deleteDNSSlice(ctx context.Context, client kubernetes.Interface, node string) error {
	err := client.DiscoveryV1().EndpointSlices(dnsNamespace).Delete(ctx, dnsSliceName(node), metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}
