package kubeletserver

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// containers returns the runtime's containers of pod's container name, newest first: highest
// restart count, then latest creation.
func (s *Server) containers(ctx context.Context, pod *corev1.Pod, name string) ([]*runtimeapi.Container, error) {
	selector := map[string]string{cri.LabelPodNamespace: pod.Namespace, cri.LabelPodName: pod.Name, cri.LabelContainerName: name}
	if pod.UID != "" {
		selector[cri.LabelPodUID] = string(pod.UID)
	}
	list, err := s.cfg.Runtime.ListContainers(ctx, &runtimeapi.ContainerFilter{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("listing containers of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	slices.SortFunc(list, func(a, b *runtimeapi.Container) int {
		if c := cmp.Compare(restartCount(b), restartCount(a)); c != 0 {
			return c
		}
		return cmp.Compare(b.CreatedAt, a.CreatedAt)
	})
	return list, nil
}

// runningContainer is the newest running container of that name, or nil.
func (s *Server) runningContainer(ctx context.Context, pod *corev1.Pod, name string) (*runtimeapi.Container, error) {
	list, err := s.containers(ctx, pod, name)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c.State == runtimeapi.ContainerState_CONTAINER_RUNNING {
			return c, nil
		}
	}
	return nil, nil
}

// readySandbox is the newest ready sandbox of pod, or nil.
func (s *Server) readySandbox(ctx context.Context, pod *corev1.Pod) (*runtimeapi.PodSandbox, error) {
	selector := map[string]string{cri.LabelPodNamespace: pod.Namespace, cri.LabelPodName: pod.Name}
	if pod.UID != "" {
		selector[cri.LabelPodUID] = string(pod.UID)
	}
	list, err := s.cfg.Runtime.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{
		LabelSelector: selector,
		State:         &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY},
	})
	if err != nil {
		return nil, fmt.Errorf("listing sandboxes of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return slices.MaxFunc(list, func(a, b *runtimeapi.PodSandbox) int { return cmp.Compare(a.CreatedAt, b.CreatedAt) }), nil
}

func restartCount(c *runtimeapi.Container) int {
	n, _ := strconv.Atoi(c.Annotations[cri.AnnotationContainerRestartCount])
	return n
}

// hasContainer reports whether pod's spec has a container, init container or ephemeral
// container of that name.
func hasContainer(pod *corev1.Pod, name string) bool {
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range pod.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}
