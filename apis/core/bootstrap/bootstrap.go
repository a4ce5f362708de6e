// Package bootstrap creates what every cluster has from its first moment, as kube-apiserver's
// controllers do: the system namespaces and the default/kubernetes Service with Endpoints and
// an EndpointSlice pointing at the apiserver.
package bootstrap

import (
	"context"
	"fmt"
	"net"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	netutils "k8s.io/utils/net"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/core/service"
)

// SystemNamespaces are created at start: default, kube-system, kube-public, kube-node-lease.
var SystemNamespaces = []string{metav1.NamespaceDefault, metav1.NamespaceSystem, metav1.NamespacePublic, corev1.NamespaceNodeLease}

// Interval is how often the kubernetes service and its endpoints are checked, as upstream's
// endpoint reconciler.
const Interval = 10 * time.Second

const kubernetesName = "kubernetes"

// Run creates the system namespaces and the default/kubernetes Service, Endpoints and
// EndpointSlice (apiserverIP:port; skipped when apiserverIP is loopback or unspecified, which
// Endpoints cannot hold), retrying until that succeeds or ctx ends. It then keeps
// them in place every Interval in the background until ctx ends, and returns. The Service
// gets the first address of the service CIDR that service.Configure set.
func Run(ctx context.Context, client kubernetes.Interface, apiserverIP net.IP, port int) error {
	b := &bootstrapper{client: client, ip: apiserverIP, port: int32(port), serviceIP: service.KubernetesServiceIP(service.ServiceCIDR())}
	logger := klog.FromContext(ctx)
	err := wait.PollUntilContextCancel(ctx, 200*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if err := b.ensure(ctx); err != nil {
			logger.V(2).Info("Bootstrapping the cluster, will retry", "err", err)
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("bootstrapping namespaces and the kubernetes service: %w", err)
	}
	go wait.UntilWithContext(ctx, func(ctx context.Context) {
		if err := b.ensure(ctx); err != nil {
			logger.Error(err, "Keeping the kubernetes service in place")
		}
	}, Interval)
	return nil
}

type bootstrapper struct {
	client    kubernetes.Interface
	ip        net.IP
	port      int32
	serviceIP net.IP
}

func (b *bootstrapper) ensure(ctx context.Context) error {
	for _, name := range SystemNamespaces {
		if err := b.ensureNamespace(ctx, name); err != nil {
			return err
		}
	}
	if err := b.ensureService(ctx); err != nil {
		return err
	}
	if !b.endpointable() {
		return nil
	}
	endpoints, err := b.ensureEndpoints(ctx)
	if err != nil {
		return err
	}
	return b.ensureEndpointSlice(ctx, endpoints)
}

// endpointable tells whether the apiserver address can be an endpoint at all: Endpoints
// validation rejects unspecified, loopback and link-local addresses.
func (b *bootstrapper) endpointable() bool {
	return b.ip != nil && !b.ip.IsUnspecified() && !b.ip.IsLoopback() && !b.ip.IsLinkLocalUnicast()
}

func (b *bootstrapper) ensureNamespace(ctx context.Context, name string) error {
	_, err := b.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = b.client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	return nil
}

// ensureService creates default/kubernetes if it is missing; an existing one is left as is.
func (b *bootstrapper) ensureService(ctx context.Context) error {
	services := b.client.CoreV1().Services(metav1.NamespaceDefault)
	_, err := services.Get(ctx, kubernetesName, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = services.Create(ctx, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{
				Name:      kubernetesName,
				Namespace: metav1.NamespaceDefault,
				Labels:    map[string]string{"provider": "kubernetes", "component": "apiserver"},
			},
			Spec: corev1.ServiceSpec{
				Ports: []corev1.ServicePort{{
					Name: "https", Protocol: corev1.ProtocolTCP, Port: 443, TargetPort: intstr.FromInt32(b.port),
				}},
				ClusterIP:       b.serviceIP.String(),
				IPFamilyPolicy:  ptr.To(corev1.IPFamilyPolicySingleStack),
				SessionAffinity: corev1.ServiceAffinityNone,
				Type:            corev1.ServiceTypeClusterIP,
			},
		}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			err = nil
		}
	}
	if err != nil {
		return fmt.Errorf("service default/kubernetes: %w", err)
	}
	return nil
}

func (b *bootstrapper) wantEndpoints() corev1.Endpoints {
	return corev1.Endpoints{
		ObjectMeta: metav1.ObjectMeta{
			Name:      kubernetesName,
			Namespace: metav1.NamespaceDefault,
			Labels:    map[string]string{discoveryv1.LabelSkipMirror: "true"},
		},
		Subsets: []corev1.EndpointSubset{{
			Addresses: []corev1.EndpointAddress{{IP: b.ip.String()}},
			Ports:     []corev1.EndpointPort{{Name: "https", Port: b.port, Protocol: corev1.ProtocolTCP}},
		}},
	}
}

// ensureEndpoints makes default/kubernetes Endpoints list exactly this apiserver.
func (b *bootstrapper) ensureEndpoints(ctx context.Context) (*corev1.Endpoints, error) {
	client := b.client.CoreV1().Endpoints(metav1.NamespaceDefault) //nolint:staticcheck // v1 Endpoints are what upstream maintains too
	want := b.wantEndpoints()
	current, err := client.Get(ctx, kubernetesName, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		current, err = client.Create(ctx, &want, metav1.CreateOptions{})
	case err == nil && (current.Labels[discoveryv1.LabelSkipMirror] != "true" || !apiequality.Semantic.DeepEqual(current.Subsets, want.Subsets)):
		if current.Labels == nil {
			current.Labels = map[string]string{}
		}
		current.Labels[discoveryv1.LabelSkipMirror] = "true"
		current.Subsets = want.Subsets
		current, err = client.Update(ctx, current, metav1.UpdateOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("endpoints default/kubernetes: %w", err)
	}
	return current, nil
}

// ensureEndpointSlice mirrors the Endpoints into the kubernetes EndpointSlice. Until the
// discovery group is served this is skipped (the background loop catches up).
func (b *bootstrapper) ensureEndpointSlice(ctx context.Context, ep *corev1.Endpoints) error {
	want := sliceFromEndpoints(ep)
	slices := b.client.DiscoveryV1().EndpointSlices(metav1.NamespaceDefault)
	current, err := slices.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = slices.Create(ctx, want, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		if apierrors.IsNotFound(err) {
			klog.FromContext(ctx).V(4).Info("EndpointSlices are not served yet; the kubernetes slice waits")
			return nil
		}
		return wrapSliceErr(err)
	}
	if err != nil {
		return wrapSliceErr(err)
	}
	if current.AddressType != want.AddressType {
		if err := slices.Delete(ctx, want.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
			return wrapSliceErr(err)
		}
		_, err = slices.Create(ctx, want, metav1.CreateOptions{})
		return wrapSliceErr(err)
	}
	if apiequality.Semantic.DeepEqual(current.Endpoints, want.Endpoints) && apiequality.Semantic.DeepEqual(current.Ports, want.Ports) &&
		apiequality.Semantic.DeepEqual(current.Labels, want.Labels) {
		return nil
	}
	want.ResourceVersion = current.ResourceVersion
	_, err = slices.Update(ctx, want, metav1.UpdateOptions{})
	return wrapSliceErr(err)
}

func wrapSliceErr(err error) error {
	if err != nil {
		return fmt.Errorf("endpointslice default/kubernetes: %w", err)
	}
	return nil
}

// sliceFromEndpoints builds the EndpointSlice upstream derives from the kubernetes Endpoints.
func sliceFromEndpoints(ep *corev1.Endpoints) *discoveryv1.EndpointSlice {
	slice := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{
			Name:      ep.Name,
			Namespace: ep.Namespace,
			Labels:    map[string]string{discoveryv1.LabelServiceName: ep.Name},
		},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	if len(ep.Subsets) == 0 {
		return slice
	}
	subset := ep.Subsets[0]
	for i := range subset.Ports {
		p := subset.Ports[i]
		slice.Ports = append(slice.Ports, discoveryv1.EndpointPort{Port: &p.Port, Name: &p.Name, Protocol: &p.Protocol})
	}
	all := append(append([]corev1.EndpointAddress{}, subset.Addresses...), subset.NotReadyAddresses...)
	allIPv6 := len(all) > 0
	for _, a := range all {
		allIPv6 = allIPv6 && netutils.IsIPv6String(a.IP)
	}
	if allIPv6 {
		slice.AddressType = discoveryv1.AddressTypeIPv6
	}
	add := func(addresses []corev1.EndpointAddress, ready bool) {
		for _, a := range addresses {
			if netutils.IsIPv6String(a.IP) != allIPv6 {
				continue
			}
			slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{
				Addresses:  []string{a.IP},
				Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(ready)},
				TargetRef:  a.TargetRef,
				NodeName:   a.NodeName,
			})
		}
	}
	add(subset.Addresses, true)
	add(subset.NotReadyAddresses, false)
	if slice.Endpoints == nil {
		slice.Endpoints = []discoveryv1.Endpoint{}
	}
	return slice
}
