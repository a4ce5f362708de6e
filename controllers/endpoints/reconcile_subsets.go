package endpoints

import (
	"fmt"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/endpointslice"
	endpointsliceutil "k8s.io/endpointslice/util"
	utilnet "k8s.io/utils/net"
)

// desiredSubsets returns the subsets of svc's Endpoints: one address per pod that has an IP of
// the Service's family and is not terminal (nor terminating, unless publishNotReadyAddresses),
// ready pods in addresses and the others in notReadyAddresses, with the pod's port for each
// Service port. It also counts ready and not-ready endpoints.
func desiredSubsets(log logr.Logger, svc *corev1.Service, pods []*corev1.Pod) ([]corev1.EndpointSubset, int, int) {
	subsets := []corev1.EndpointSubset{}
	ready, notReady := 0, 0
	add := func(pod *corev1.Pod, addr corev1.EndpointAddress, port *corev1.EndpointPort) {
		ports := []corev1.EndpointPort{}
		if port != nil {
			ports = append(ports, *port)
		}
		if svc.Spec.PublishNotReadyAddresses || endpointsliceutil.IsPodReady(pod) {
			subsets = append(subsets, corev1.EndpointSubset{Addresses: []corev1.EndpointAddress{addr}, Ports: ports})
			ready++
		} else {
			subsets = append(subsets, corev1.EndpointSubset{NotReadyAddresses: []corev1.EndpointAddress{addr}, Ports: ports})
			notReady++
		}
	}
	for _, pod := range pods {
		if !endpointsliceutil.ShouldPodBeInEndpoints(pod, svc.Spec.PublishNotReadyAddresses) {
			continue
		}
		addr, err := addressFor(svc, pod)
		if err != nil {
			log.V(2).Info("Failed to find endpoint for service with ClusterIP on pod with error", "clusterIP", svc.Spec.ClusterIP, "pod", pod.Name, "error", err)
			continue
		}
		if endpointsliceutil.ShouldSetHostname(pod, svc) {
			addr.Hostname = pod.Spec.Hostname
		}
		if len(svc.Spec.Ports) == 0 {
			// Headless Services without ports still list their pods.
			if svc.Spec.ClusterIP == corev1.ClusterIPNone {
				add(pod, addr, nil)
			}
			continue
		}
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			port, err := endpointslice.FindPort(pod, sp)
			if err != nil {
				log.V(4).Info("Failed to find port for service", "pod", pod.Name, "error", err)
				continue
			}
			add(pod, addr, &corev1.EndpointPort{Name: sp.Name, Port: int32(port), Protocol: sp.Protocol, AppProtocol: sp.AppProtocol})
		}
	}
	return repackSubsets(subsets), ready, notReady
}

// addressFor returns pod's address of the Service's (first) IP family.
func addressFor(svc *corev1.Service, pod *corev1.Pod) (corev1.EndpointAddress, error) {
	wantIPv6 := false
	switch {
	case len(svc.Spec.IPFamilies) > 0:
		wantIPv6 = svc.Spec.IPFamilies[0] == corev1.IPv6Protocol
	case svc.Spec.ClusterIP != "" && svc.Spec.ClusterIP != corev1.ClusterIPNone:
		wantIPv6 = utilnet.IsIPv6String(svc.Spec.ClusterIP)
	default:
		wantIPv6 = utilnet.IsIPv6String(pod.Status.PodIP)
	}
	for _, podIP := range pod.Status.PodIPs {
		ip := utilnet.ParseIPSloppy(podIP.IP)
		if ip != nil && utilnet.IsIPv6(ip) == wantIPv6 {
			nodeName := pod.Spec.NodeName
			return corev1.EndpointAddress{
				IP:       ip.String(),
				NodeName: &nodeName,
				TargetRef: &corev1.ObjectReference{
					Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID,
				},
			}, nil
		}
	}
	return corev1.EndpointAddress{}, fmt.Errorf("failed to find a matching endpoint for service %v", svc.Name)
}
