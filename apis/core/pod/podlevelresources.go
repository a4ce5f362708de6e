package pod

import (
	"strings"

	corev1 "k8s.io/api/core/v1"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// supportedPodLevelResource reports whether a resource may be set at the pod level: cpu,
// memory and hugepages.
func supportedPodLevelResource(name corev1.ResourceName) bool {
	return name == corev1.ResourceCPU || name == corev1.ResourceMemory || strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

// DefaultPodLevelResources completes pod-level resources (spec.resources) as upstream does on
// create (PodLevelResourcesFixDefaulting, on in v1.37): hugepage limits from the containers'
// aggregated limits, requests from the containers' aggregated requests (resources that may be
// overcommitted) and then from the pod-level limits, and limits from the containers' aggregated
// limits when every container sets one (raised to the pod-level request if that is higher).
func DefaultPodLevelResources(spec *corev1.PodSpec) {
	r := spec.Resources
	if r == nil || len(r.Requests) == 0 && len(r.Limits) == 0 {
		return
	}
	ctrLimits := aggregateContainerResources(spec, func(c *corev1.Container) corev1.ResourceList { return c.Resources.Limits })

	// Hugepage limits.
	limits := r.Limits
	if limits == nil {
		limits = corev1.ResourceList{}
	}
	for name, q := range ctrLimits {
		if !strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix) {
			continue
		}
		if _, ok := r.Requests[name]; ok {
			continue
		}
		if _, ok := limits[name]; !ok {
			limits[name] = q
		}
	}
	if len(limits) > 0 {
		r.Limits = limits
	}

	// Requests.
	requests := r.Requests
	if requests == nil {
		requests = corev1.ResourceList{}
	}
	ctrRequests := aggregateContainerResources(spec, func(c *corev1.Container) corev1.ResourceList { return c.Resources.Requests })
	for name, q := range ctrRequests {
		if _, ok := requests[name]; !ok && supportedPodLevelResource(name) && corevalidation.IsOvercommitAllowed(name) {
			requests[name] = q
		}
	}
	for name, q := range r.Limits {
		if _, ok := requests[name]; !ok && supportedPodLevelResource(name) {
			requests[name] = q.DeepCopy()
		}
	}
	if len(requests) > 0 {
		r.Requests = requests
	}

	// Limits, for the requested resources every container limits.
	for name := range r.Requests {
		if _, ok := r.Limits[name]; ok || !supportedPodLevelResource(name) || !everyContainerLimits(spec, name) {
			continue
		}
		q, ok := ctrLimits[name]
		if !ok {
			continue
		}
		if req := r.Requests[name]; req.Cmp(q) > 0 {
			q = req
		}
		if r.Limits == nil {
			r.Limits = corev1.ResourceList{}
		}
		r.Limits[name] = q
	}
}

func everyContainerLimits(spec *corev1.PodSpec, name corev1.ResourceName) bool {
	all := true
	visitContainers(spec, func(c *corev1.Container) {
		if _, ok := c.Resources.Limits[name]; !ok {
			all = false
		}
	})
	return all
}

// aggregateContainerResources sums what the containers of a pod need as the scheduler counts it
// (the sidecar KEP's formula): regular containers and restartable init containers (sidecars)
// add up; each other init container needs its own amount plus the sidecars started before it;
// the pod needs the larger of the two.
func aggregateContainerResources(spec *corev1.PodSpec, get func(*corev1.Container) corev1.ResourceList) corev1.ResourceList {
	total := corev1.ResourceList{}
	for i := range spec.Containers {
		addResources(total, get(&spec.Containers[i]))
	}
	sidecars, peak := corev1.ResourceList{}, corev1.ResourceList{}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		use := corev1.ResourceList{}
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addResources(total, get(c))
			addResources(sidecars, get(c))
			addResources(use, sidecars)
		} else {
			addResources(use, get(c))
			addResources(use, sidecars)
		}
		maxResources(peak, use)
	}
	maxResources(total, peak)
	return total
}

func addResources(list, add corev1.ResourceList) {
	for name, q := range add {
		sum, ok := list[name]
		if !ok {
			list[name] = q.DeepCopy()
			continue
		}
		sum.Add(q)
		list[name] = sum
	}
}

func maxResources(list, other corev1.ResourceList) {
	for name, q := range other {
		if cur, ok := list[name]; !ok || q.Cmp(cur) > 0 {
			list[name] = q.DeepCopy()
		}
	}
}
