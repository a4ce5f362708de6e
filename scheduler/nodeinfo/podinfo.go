package nodeinfo

import (
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	resourcehelper "k8s.io/component-helpers/resource"
	fwk "k8s.io/kube-scheduler/framework"
)

// PodInfo is a pod with its inter-pod affinity terms parsed; it implements framework.PodInfo.
type PodInfo struct {
	Pod                        *corev1.Pod
	RequiredAffinityTerms      []fwk.AffinityTerm
	RequiredAntiAffinityTerms  []fwk.AffinityTerm
	PreferredAffinityTerms     []fwk.WeightedAffinityTerm
	PreferredAntiAffinityTerms []fwk.WeightedAffinityTerm
	// cached is the pod's requests, computed once (the PodInfo is rebuilt when the pod changes).
	cached *fwk.PodResource
}

var _ fwk.PodInfo = &PodInfo{}

// NewPodInfo parses pod's affinity terms. On a bad selector it returns the PodInfo with the
// terms it could parse and the error (the API server does not validate all of them).
func NewPodInfo(pod *corev1.Pod) (*PodInfo, error) {
	if pod == nil {
		return nil, errors.New("pod cannot be nil")
	}
	pi := &PodInfo{Pod: pod}
	var preferred, preferredAnti []corev1.WeightedPodAffinityTerm
	if a := pod.Spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			preferred = a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution
		}
		if a.PodAntiAffinity != nil {
			preferredAnti = a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
		}
	}
	var errs []error
	var err error
	if pi.RequiredAffinityTerms, err = fwk.GetAffinityTerms(pod, fwk.GetPodAffinityTerms(pod.Spec.Affinity)); err != nil {
		errs = append(errs, fmt.Errorf("requiredAffinityTerms: %w", err))
	}
	if pi.RequiredAntiAffinityTerms, err = fwk.GetAffinityTerms(pod, fwk.GetPodAntiAffinityTerms(pod.Spec.Affinity)); err != nil {
		errs = append(errs, fmt.Errorf("requiredAntiAffinityTerms: %w", err))
	}
	if pi.PreferredAffinityTerms, err = fwk.GetWeightedAffinityTerms(pod, preferred); err != nil {
		errs = append(errs, fmt.Errorf("preferredAffinityTerms: %w", err))
	}
	if pi.PreferredAntiAffinityTerms, err = fwk.GetWeightedAffinityTerms(pod, preferredAnti); err != nil {
		errs = append(errs, fmt.Errorf("preferredAntiAffinityTerms: %w", err))
	}
	return pi, utilerrors.NewAggregate(errs)
}

func (pi *PodInfo) GetPod() *corev1.Pod                          { return pi.Pod }
func (pi *PodInfo) GetRequiredAffinityTerms() []fwk.AffinityTerm { return pi.RequiredAffinityTerms }
func (pi *PodInfo) GetRequiredAntiAffinityTerms() []fwk.AffinityTerm {
	return pi.RequiredAntiAffinityTerms
}
func (pi *PodInfo) GetPreferredAffinityTerms() []fwk.WeightedAffinityTerm {
	return pi.PreferredAffinityTerms
}
func (pi *PodInfo) GetPreferredAntiAffinityTerms() []fwk.WeightedAffinityTerm {
	return pi.PreferredAntiAffinityTerms
}

// GetName and GetNamespace make PodInfo a klog.KMetadata.
func (pi *PodInfo) GetName() string      { return pi.Pod.Name }
func (pi *PodInfo) GetNamespace() string { return pi.Pod.Namespace }

// PodRequestsOptions are the options upstream v1.37 computes pod requests with (in-place
// resize and pod-level resources on, DRA node-allocatable claims off).
func PodRequestsOptions() resourcehelper.PodResourcesOptions {
	return resourcehelper.PodResourcesOptions{
		UseStatusResources: true,
		InPlacePodLevelResourcesVerticalScalingEnabled: true,
	}
}

// CalculateResource returns the pod's requests (init containers, sidecars, overhead and
// pod-level resources as upstream) and its CPU/memory with each missing container request
// counted as DefaultMilliCPURequest/DefaultMemoryRequest.
func (pi *PodInfo) CalculateResource() fwk.PodResource {
	if pi.cached != nil {
		return *pi.cached
	}
	requests := resourcehelper.PodRequests(pi.Pod, PodRequestsOptions())
	nonMissing := nonMissingContainerRequests(requests, resourcehelper.IsPodLevelRequestsSet(pi.Pod))
	non0 := requests
	if len(nonMissing) > 0 {
		opts := PodRequestsOptions()
		opts.NonMissingContainerRequests = nonMissing
		non0 = resourcehelper.PodRequests(pi.Pod, opts)
	}
	cpu, mem := non0[corev1.ResourceCPU], non0[corev1.ResourceMemory]
	res := NewResource(requests)
	pr := fwk.PodResource{Resource: res, Non0CPU: cpu.MilliValue(), Non0Mem: mem.Value()}
	pi.cached = &pr
	return pr
}

// nonMissingContainerRequests are the defaults for missing CPU and memory requests: always
// without pod-level requests, else only for what neither level sets.
func nonMissingContainerRequests(requests corev1.ResourceList, podLevelSet bool) corev1.ResourceList {
	cpu := *resource.NewMilliQuantity(DefaultMilliCPURequest, resource.DecimalSI)
	mem := *resource.NewQuantity(DefaultMemoryRequest, resource.DecimalSI)
	if !podLevelSet {
		return corev1.ResourceList{corev1.ResourceCPU: cpu, corev1.ResourceMemory: mem}
	}
	out := corev1.ResourceList{}
	if _, ok := requests[corev1.ResourceCPU]; !ok {
		out[corev1.ResourceCPU] = cpu
	}
	if _, ok := requests[corev1.ResourceMemory]; !ok {
		out[corev1.ResourceMemory] = mem
	}
	return out
}

// GetHostPorts returns the container ports with a host port of the pod's containers and of
// its restartable (sidecar) init containers.
func GetHostPorts(pod *corev1.Pod) []corev1.ContainerPort {
	var ports []corev1.ContainerPort
	if pod == nil {
		return nil
	}
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
			continue
		}
		for _, p := range c.Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.HostPort > 0 {
				ports = append(ports, p)
			}
		}
	}
	return ports
}

// PodPVCKeys returns "namespace/name" of each PersistentVolumeClaim the pod's volumes use.
func PodPVCKeys(pod *corev1.Pod) []string {
	var keys []string
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			keys = append(keys, pod.Namespace+"/"+v.PersistentVolumeClaim.ClaimName)
		}
	}
	return keys
}
