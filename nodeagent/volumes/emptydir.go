package volumes

import (
	"fmt"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	resourcehelper "k8s.io/component-helpers/resource"
)

// emptyDirPerm is the mode of an emptyDir on disk.
const emptyDirPerm os.FileMode = 0o777

// setUpEmptyDir makes an emptyDir: a 0777 directory, with a tmpfs on it for medium Memory.
func (m *Manager) setUpEmptyDir(pod *corev1.Pod, src *corev1.EmptyDirVolumeSource, dir string) error {
	created, err := makeDir(dir, emptyDirPerm)
	if err != nil {
		return err
	}
	switch src.Medium {
	case corev1.StorageMediumDefault:
	case corev1.StorageMediumMemory:
		size := m.memorySize(pod, src)
		if err := mountTmpfs(dir, size.Value()); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown storage medium %q", src.Medium)
	}
	if created {
		return applyFSGroup(dir, pod, false)
	}
	return nil
}

// makeDir creates dir with mode perm (not masked by the umask) and reports whether it
// was new.
func makeDir(dir string, perm os.FileMode) (bool, error) {
	if _, err := os.Lstat(dir); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(dir, perm); err != nil {
		return false, err
	}
	return true, os.Chmod(dir, perm)
}

// memorySize is the size of a memory-backed emptyDir as upstream computes it: the
// node's allocatable memory, lowered to the pod's memory limit, lowered to sizeLimit.
func (m *Manager) memorySize(pod *corev1.Pod, src *corev1.EmptyDirVolumeSource) resource.Quantity {
	var size resource.Quantity
	if m.cfg.NodeAllocatable != nil {
		size = m.cfg.NodeAllocatable()[corev1.ResourceMemory]
	}
	if memoryLimited(pod) {
		limits := resourcehelper.PodLimits(pod, resourcehelper.PodResourcesOptions{})
		if lim, ok := limits[corev1.ResourceMemory]; ok && lim.Sign() > 0 && (size.IsZero() || lim.Cmp(size) <= 0) {
			size = lim
		}
	}
	if src.SizeLimit != nil && src.SizeLimit.Sign() > 0 && (size.IsZero() || src.SizeLimit.Cmp(size) <= 0) {
		size = *src.SizeLimit
	}
	return size
}

// memoryLimited reports whether the pod's memory cgroup has a limit: a pod-level one, or
// one on every container.
func memoryLimited(pod *corev1.Pod) bool {
	if pod.Spec.Resources != nil {
		if _, ok := pod.Spec.Resources.Limits[corev1.ResourceMemory]; ok {
			return true
		}
	}
	for _, c := range pod.Spec.Containers {
		if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
			return false
		}
	}
	return len(pod.Spec.Containers) > 0
}
