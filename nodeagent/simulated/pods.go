package simulated

import (
	"context"
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
)

// syncPod is the simulated kubelet's pass over one pod: start it, end its containers' runs,
// or confirm its deletion once its containers have stopped.
func (s *simulator) syncPod(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	pod, err := s.podLister.Pods(namespace).Get(name)
	if err != nil {
		return nil // gone
	}
	n := s.nodes[pod.Spec.NodeName]
	if n == nil || s.paused(n.name) {
		return nil
	}
	b := behaviourOf(pod, s.o)
	now := s.clock.Now()
	if pod.DeletionTimestamp != nil {
		if wait := deleteAfter(pod, b, now); wait > 0 {
			s.pods.AddAfter(key, wait)
			return nil
		}
		return s.confirmDeletion(ctx, pod)
	}

	podIP, allocated := pod.Status.PodIP, false
	if podIP == "" && pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
		if pod.Spec.HostNetwork {
			podIP = n.hostIP
		} else {
			ip, err := s.ipam.allocate(n.name, n.podCIDR, string(pod.UID))
			if err != nil {
				return err
			}
			podIP, allocated = ip.String(), true
		}
	}
	status, next := step(pod, b, now, podIP, n.hostIP)
	if status != nil {
		updated := pod.DeepCopy()
		updated.Status = *status
		if _, err := s.client.CoreV1().Pods(namespace).UpdateStatus(ctx, updated, metav1.UpdateOptions{}); err != nil {
			if allocated {
				s.ipam.release(n.name, netip.MustParseAddr(podIP), string(pod.UID))
			}
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("updating status of pod %s: %w", key, err)
		}
		if status.Phase == corev1.PodSucceeded || status.Phase == corev1.PodFailed {
			s.releaseIP(updated) // the sandbox is gone; the IP stays in the status, as a kubelet leaves it
		}
	}
	if next > 0 {
		s.pods.AddAfter(key, next)
	}
	return nil
}

// confirmDeletion removes a deleted pod for good, as a kubelet does once its containers stopped.
func (s *simulator) confirmDeletion(ctx context.Context, pod *corev1.Pod) error {
	err := s.client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: new(int64),
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return fmt.Errorf("deleting pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	klog.FromContext(ctx).V(4).Info("Pod deleted", "pod", klog.KObj(pod))
	return nil
}

func (s *simulator) paused(node string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, running := s.heartbeat[node]
	return !running
}

// reserveRunningIPs marks the IPs of pods already running on the nodes as used, so that an
// agent restarted over a running cluster never hands out an IP twice.
func (s *simulator) reserveRunningIPs() {
	pods, _ := s.podLister.List(labels.Everything())
	for _, pod := range pods {
		n := s.nodes[pod.Spec.NodeName]
		if n == nil || pod.Spec.HostNetwork || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		if ip, err := netip.ParseAddr(pod.Status.PodIP); err == nil && n.podCIDR.Contains(ip) {
			s.ipam.reserve(n.name, ip, string(pod.UID))
		}
	}
}

func (s *simulator) releaseIP(pod *corev1.Pod) {
	n := s.nodes[pod.Spec.NodeName]
	if n == nil || pod.Spec.HostNetwork {
		return
	}
	if ip, err := netip.ParseAddr(pod.Status.PodIP); err == nil && n.podCIDR.Contains(ip) {
		s.ipam.release(n.name, ip, string(pod.UID))
	}
}

func typesUID(uid string) types.UID { return types.UID(uid) }
