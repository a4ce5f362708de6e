package nodeinfo

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	fwk "k8s.io/kube-scheduler/framework"
)

const (
	// DefaultMilliCPURequest is the CPU a container without a CPU request counts as when
	// spreading pods (NonZeroRequested), as upstream: 0.1 core.
	DefaultMilliCPURequest int64 = 100
	// DefaultMemoryRequest is the memory such a container counts as: 200 MiB.
	DefaultMemoryRequest int64 = 200 * 1024 * 1024
)

// Resource is a collection of compute resources; it implements framework.Resource.
type Resource struct {
	MilliCPU         int64
	Memory           int64
	EphemeralStorage int64
	// AllowedPodNumber is Node.Status.Allocatable.Pods().
	AllowedPodNumber int
	// ScalarResources are extended resources, hugepages, attachable volumes and other
	// kubernetes.io/-prefixed resources.
	ScalarResources map[corev1.ResourceName]int64
}

var _ fwk.Resource = &Resource{}

func (r *Resource) GetMilliCPU() int64         { return r.MilliCPU }
func (r *Resource) GetMemory() int64           { return r.Memory }
func (r *Resource) GetEphemeralStorage() int64 { return r.EphemeralStorage }
func (r *Resource) GetAllowedPodNumber() int   { return r.AllowedPodNumber }
func (r *Resource) GetScalarResources() map[corev1.ResourceName]int64 {
	return r.ScalarResources
}

// NewResource returns the sum of rl.
func NewResource(rl corev1.ResourceList) *Resource {
	r := &Resource{}
	r.Add(rl)
	return r
}

// Add adds rl to r.
func (r *Resource) Add(rl corev1.ResourceList) {
	if r == nil {
		return
	}
	for name, q := range rl {
		switch name {
		case corev1.ResourceCPU:
			r.MilliCPU += q.MilliValue()
		case corev1.ResourceMemory:
			r.Memory += q.Value()
		case corev1.ResourcePods:
			r.AllowedPodNumber += int(q.Value())
		case corev1.ResourceEphemeralStorage:
			r.EphemeralStorage += q.Value()
		default:
			if IsScalarResourceName(name) {
				r.AddScalar(name, q.Value())
			}
		}
	}
}

// Clone returns a deep copy of r.
func (r *Resource) Clone() *Resource {
	c := *r
	if r.ScalarResources != nil {
		c.ScalarResources = make(map[corev1.ResourceName]int64, len(r.ScalarResources))
		for k, v := range r.ScalarResources {
			c.ScalarResources[k] = v
		}
	}
	return &c
}

// AddScalar adds quantity to the scalar resource name.
func (r *Resource) AddScalar(name corev1.ResourceName, quantity int64) {
	r.SetScalar(name, r.ScalarResources[name]+quantity)
}

// SetScalar sets the scalar resource name.
func (r *Resource) SetScalar(name corev1.ResourceName, quantity int64) {
	if r.ScalarResources == nil {
		r.ScalarResources = map[corev1.ResourceName]int64{}
	}
	r.ScalarResources[name] = quantity
}

// SetMaxResource keeps, per resource, the larger of r and rl.
func (r *Resource) SetMaxResource(rl corev1.ResourceList) {
	if r == nil {
		return
	}
	for name, q := range rl {
		switch name {
		case corev1.ResourceMemory:
			r.Memory = max(r.Memory, q.Value())
		case corev1.ResourceCPU:
			r.MilliCPU = max(r.MilliCPU, q.MilliValue())
		case corev1.ResourceEphemeralStorage:
			r.EphemeralStorage = max(r.EphemeralStorage, q.Value())
		default:
			if IsScalarResourceName(name) {
				r.SetScalar(name, max(r.ScalarResources[name], q.Value()))
			}
		}
	}
}

// IsScalarResourceName reports whether name is tracked in ScalarResources: an extended
// resource, hugepages-*, attachable-volumes-* or another kubernetes.io/ resource.
func IsScalarResourceName(name corev1.ResourceName) bool {
	return IsExtendedResourceName(name) || IsHugePageResourceName(name) ||
		IsPrefixedNativeResource(name) || strings.HasPrefix(string(name), corev1.ResourceAttachableVolumesPrefix)
}

// IsHugePageResourceName reports whether name is hugepages-<size>.
func IsHugePageResourceName(name corev1.ResourceName) bool {
	return strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

// IsPrefixedNativeResource reports whether name is in the kubernetes.io/ namespace.
func IsPrefixedNativeResource(name corev1.ResourceName) bool {
	return strings.Contains(string(name), corev1.ResourceDefaultNamespacePrefix)
}

// IsNativeResource reports whether name is unprefixed or kubernetes.io/-prefixed.
func IsNativeResource(name corev1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || IsPrefixedNativeResource(name)
}

// IsExtendedResourceName reports whether name is a fully-qualified resource outside
// kubernetes.io/ that is not a requests.* quota name.
func IsExtendedResourceName(name corev1.ResourceName) bool {
	if IsNativeResource(name) || strings.HasPrefix(string(name), corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(fmt.Sprintf("%s%s", corev1.DefaultResourceRequestsPrefix, name))) == 0
}
