package kubelet

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Upstream's cgroup arithmetic (cm/helpers_linux.go) and OOM score policy (qos/policy.go).
const (
	minShares             = 2
	maxShares             = 262144
	sharesPerCPU          = 1024
	quotaPeriod           = 100000
	minQuotaPeriod        = 1000
	guaranteedOOMScoreAdj = -997
	besteffortOOMScoreAdj = 1000
)

// milliCPUToShares converts a CPU request to cpu.shares.
func milliCPUToShares(milliCPU int64) int64 {
	if milliCPU == 0 {
		return minShares
	}
	return min(max(milliCPU*sharesPerCPU/1000, minShares), maxShares)
}

// milliCPUToQuota converts a CPU limit to a CFS quota over quotaPeriod; 0 means none.
func milliCPUToQuota(milliCPU int64) int64 {
	if milliCPU == 0 {
		return 0
	}
	return max(milliCPU*quotaPeriod/1000, minQuotaPeriod)
}

// containerResources is the LinuxContainerResources of c in pod: cpu shares from the request (or
// the limit when only a limit is set), quota from the CPU limit, memory limit, OOM score.
func containerResources(pod *corev1.Pod, c *corev1.Container, memoryCapacity int64) *runtimeapi.LinuxContainerResources {
	cpuReq, cpuLim := c.Resources.Requests.Cpu(), c.Resources.Limits.Cpu()
	shares := milliCPUToShares(cpuReq.MilliValue())
	if cpuReq.IsZero() && !cpuLim.IsZero() {
		shares = milliCPUToShares(cpuLim.MilliValue())
	}
	r := &runtimeapi.LinuxContainerResources{
		CpuShares:          shares,
		MemoryLimitInBytes: c.Resources.Limits.Memory().Value(),
		OomScoreAdj:        int64(oomScoreAdj(pod, c, memoryCapacity)),
	}
	if q := milliCPUToQuota(cpuLim.MilliValue()); q > 0 {
		r.CpuQuota, r.CpuPeriod = q, quotaPeriod
	}
	return r
}

// oomScoreAdj is upstream's OOM score for a container: Guaranteed and node-critical pods -997,
// BestEffort 1000, Burstable scaled by the memory request within [3, 999].
func oomScoreAdj(pod *corev1.Pod, c *corev1.Container, memoryCapacity int64) int {
	if pod.Spec.PriorityClassName == "system-node-critical" {
		return guaranteedOOMScoreAdj
	}
	switch podQOS(pod) {
	case corev1.PodQOSGuaranteed:
		return guaranteedOOMScoreAdj
	case corev1.PodQOSBestEffort:
		return besteffortOOMScoreAdj
	}
	if memoryCapacity <= 0 {
		return besteffortOOMScoreAdj - 1
	}
	adj := 1000 - (1000*c.Resources.Requests.Memory().Value())/memoryCapacity
	if isSidecar(pod, c) {
		if m := minRegularMemoryRequest(pod); m > 0 {
			adj = min(adj, 1000-(1000*m)/memoryCapacity)
		}
	}
	if int(adj) < 1000+guaranteedOOMScoreAdj {
		return 1000 + guaranteedOOMScoreAdj
	}
	if int(adj) == besteffortOOMScoreAdj {
		return int(adj - 1)
	}
	return int(adj)
}

func isSidecar(pod *corev1.Pod, c *corev1.Container) bool {
	for i := range pod.Spec.InitContainers {
		if pod.Spec.InitContainers[i].Name == c.Name {
			return isRestartable(&pod.Spec.InitContainers[i])
		}
	}
	return false
}

func minRegularMemoryRequest(pod *corev1.Pod) int64 {
	var m int64
	for _, c := range pod.Spec.Containers {
		if v := c.Resources.Requests.Memory().Value(); v > 0 && (m == 0 || v < m) {
			m = v
		}
	}
	return m
}

// isRestartable reports whether an init container is a sidecar (restartPolicy Always).
func isRestartable(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

// podQOS is the pod's QoS class as upstream computes it from cpu and memory requests and limits
// (pod-level resources when set).
func podQOS(pod *corev1.Pod) corev1.PodQOSClass {
	supported := []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory}
	requests, limits := corev1.ResourceList{}, corev1.ResourceList{}
	guaranteed := true
	add := func(list corev1.ResourceList, name corev1.ResourceName, q resource.Quantity) {
		cur := list[name]
		cur.Add(q)
		list[name] = cur
	}
	collect := func(res corev1.ResourceRequirements) {
		for _, name := range supported {
			if q, ok := res.Requests[name]; ok && q.Sign() > 0 {
				add(requests, name, q)
			}
			if q, ok := res.Limits[name]; ok && q.Sign() > 0 {
				add(limits, name, q)
			} else {
				guaranteed = false
			}
		}
	}
	if r := pod.Spec.Resources; r != nil && (len(r.Requests) > 0 || len(r.Limits) > 0) {
		collect(*r)
	} else {
		for _, c := range pod.Spec.InitContainers {
			collect(c.Resources)
		}
		for _, c := range pod.Spec.Containers {
			collect(c.Resources)
		}
	}
	if len(requests) == 0 && len(limits) == 0 {
		return corev1.PodQOSBestEffort
	}
	if guaranteed {
		for _, name := range supported {
			req, lim := requests[name], limits[name]
			if req.Cmp(lim) != 0 {
				guaranteed = false
			}
		}
	}
	if guaranteed && len(requests) == len(limits) {
		return corev1.PodQOSGuaranteed
	}
	return corev1.PodQOSBurstable
}
