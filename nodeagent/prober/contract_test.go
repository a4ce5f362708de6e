package prober_test

import (
	"context"

	corev1 "k8s.io/api/core/v1"

	"github.com/skiff-sh/skiff/nodeagent/prober"
)

// The node agent's contracts (nodeagent/kubelet's ProbeManager and HookRunner), restated here so
// that this package does not depend on the kubelet's.
var (
	_ interface {
		AddPod(pod *corev1.Pod)
		RemovePod(pod *corev1.Pod)
		UpdatePodStatus(pod *corev1.Pod, status *corev1.PodStatus)
		LivenessFailures() <-chan prober.Failure
	} = (*prober.Manager)(nil)
	_ interface {
		Run(ctx context.Context, pod *corev1.Pod, c *corev1.Container, containerID string, h *corev1.LifecycleHandler) (string, error)
	} = (*prober.HookRunner)(nil)
)
