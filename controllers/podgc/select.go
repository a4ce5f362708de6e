package podgc

import (
	"sort"

	corev1 "k8s.io/api/core/v1"
)

func isTerminated(pod *corev1.Pod) bool {
	p := pod.Status.Phase
	return p != corev1.PodPending && p != corev1.PodRunning && p != corev1.PodUnknown
}

// terminatedOverThreshold returns the terminated pods beyond threshold to delete: evicted ones
// first, then the oldest, names breaking ties.
func terminatedOverThreshold(pods []corev1.Pod, threshold int) []*corev1.Pod {
	var terminated []*corev1.Pod
	for i := range pods {
		if isTerminated(&pods[i]) {
			terminated = append(terminated, &pods[i])
		}
	}
	n := len(terminated) - threshold
	if n <= 0 {
		return nil
	}
	sort.Slice(terminated, func(i, j int) bool {
		a, b := terminated[i], terminated[j]
		if ea, eb := isEvicted(a), isEvicted(b); ea != eb {
			return ea
		}
		if a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			return a.Name < b.Name
		}
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	})
	return terminated[:n]
}

// isEvicted reports a pod the kubelet evicted.
func isEvicted(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodFailed && pod.Status.Reason == "Evicted"
}

// terminatingOutOfService returns terminating pods on not-Ready nodes tainted
// node.kubernetes.io/out-of-service: their kubelet won't finish them.
func terminatingOutOfService(pods []corev1.Pod, nodes map[string]*corev1.Node) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range pods {
		pod := &pods[i]
		if pod.DeletionTimestamp == nil {
			continue
		}
		node := nodes[pod.Spec.NodeName]
		if node == nil || isNodeReady(node) || !hasTaintKey(node, corev1.TaintNodeOutOfService) {
			continue
		}
		out = append(out, pod)
	}
	return out
}

// unscheduledTerminating returns terminating pods bound to no node.
func unscheduledTerminating(pods []corev1.Pod) []*corev1.Pod {
	var out []*corev1.Pod
	for i := range pods {
		if pods[i].DeletionTimestamp != nil && pods[i].Spec.NodeName == "" {
			out = append(out, &pods[i])
		}
	}
	return out
}

func isNodeReady(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasTaintKey(node *corev1.Node, key string) bool {
	for _, t := range node.Spec.Taints {
		if t.Key == key {
			return true
		}
	}
	return false
}
