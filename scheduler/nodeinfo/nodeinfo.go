package nodeinfo

import (
	"fmt"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	ndf "k8s.io/component-helpers/nodedeclaredfeatures"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// generation is shared by all NodeInfos so a node deleted and added again never reuses one.
var generation int64

func nextGeneration() int64 { return atomic.AddInt64(&generation, 1) }

// NodeInfo aggregates a node and the pods on it (including assumed ones); it implements
// framework.NodeInfo. Exported fields may be read directly; change them only through methods.
type NodeInfo struct {
	node *corev1.Node

	Pods                         []fwk.PodInfo
	PodsWithAffinity             []fwk.PodInfo
	PodsWithRequiredAntiAffinity []fwk.PodInfo
	UsedPorts                    fwk.HostPortInfo
	// Requested is the sum of the pods' requests.
	Requested *Resource
	// NonZeroRequested counts missing CPU/memory requests as the defaults.
	NonZeroRequested *Resource
	Allocatable      *Resource
	ImageStates      map[string]*fwk.ImageStateSummary
	// PVCRefCounts counts pods per "namespace/name" claim.
	PVCRefCounts     map[string]int
	Generation       int64
	DeclaredFeatures ndf.FeatureSet
}

var (
	_ fwk.NodeInfo   = &NodeInfo{}
	_ klog.KMetadata = &NodeInfo{}
)

// NewNodeInfo returns a NodeInfo without a node holding pods.
func NewNodeInfo(pods ...*corev1.Pod) *NodeInfo {
	n := &NodeInfo{
		Requested:        &Resource{},
		NonZeroRequested: &Resource{},
		Allocatable:      &Resource{},
		Generation:       nextGeneration(),
		UsedPorts:        make(fwk.HostPortInfo),
		ImageStates:      make(map[string]*fwk.ImageStateSummary),
		PVCRefCounts:     make(map[string]int),
	}
	for _, p := range pods {
		n.AddPod(p)
	}
	return n
}

func (n *NodeInfo) GetPods() []fwk.PodInfo             { return n.Pods }
func (n *NodeInfo) GetPodsWithAffinity() []fwk.PodInfo { return n.PodsWithAffinity }
func (n *NodeInfo) GetPodsWithRequiredAntiAffinity() []fwk.PodInfo {
	return n.PodsWithRequiredAntiAffinity
}

// GetPodsWithRequiredNonHostScopedAntiAffinity is empty: upstream's
// InterPodAffinityHostnameFastPath gate is off in v1.37.
func (n *NodeInfo) GetPodsWithRequiredNonHostScopedAntiAffinity() []fwk.PodInfo { return nil }
func (n *NodeInfo) GetUsedPorts() fwk.HostPortInfo                              { return n.UsedPorts }
func (n *NodeInfo) GetRequested() fwk.Resource                                  { return n.Requested }
func (n *NodeInfo) GetNonZeroRequested() fwk.Resource                           { return n.NonZeroRequested }
func (n *NodeInfo) GetAllocatable() fwk.Resource                                { return n.Allocatable }
func (n *NodeInfo) GetImageStates() map[string]*fwk.ImageStateSummary           { return n.ImageStates }
func (n *NodeInfo) GetPVCRefCounts() map[string]int                             { return n.PVCRefCounts }
func (n *NodeInfo) GetGeneration() int64                                        { return n.Generation }
func (n *NodeInfo) GetNodeDeclaredFeatures() ndf.FeatureSet                     { return n.DeclaredFeatures }

// Node returns the node, nil when it was removed or never set.
func (n *NodeInfo) Node() *corev1.Node {
	if n == nil {
		return nil
	}
	return n.node
}

// GetName returns the node's name (for klog).
func (n *NodeInfo) GetName() string {
	if n == nil {
		return "<nil>"
	}
	if n.node == nil {
		return "<no node>"
	}
	return n.node.Name
}

// GetNamespace is empty: nodes are cluster-scoped.
func (n *NodeInfo) GetNamespace() string { return "" }

// Snapshot returns a copy (see SnapshotConcrete).
func (n *NodeInfo) Snapshot() fwk.NodeInfo { return n.SnapshotConcrete() }

// SnapshotConcrete returns a copy whose slices and maps can change independently of n; image
// states are copied without their Nodes set.
func (n *NodeInfo) SnapshotConcrete() *NodeInfo {
	c := &NodeInfo{
		node:             n.node,
		Requested:        n.Requested.Clone(),
		NonZeroRequested: n.NonZeroRequested.Clone(),
		Allocatable:      n.Allocatable.Clone(),
		UsedPorts:        make(fwk.HostPortInfo, len(n.UsedPorts)),
		ImageStates:      make(map[string]*fwk.ImageStateSummary, len(n.ImageStates)),
		PVCRefCounts:     make(map[string]int, len(n.PVCRefCounts)),
		Generation:       n.Generation,
		DeclaredFeatures: n.DeclaredFeatures.Clone(),
	}
	if len(n.Pods) > 0 {
		c.Pods = append([]fwk.PodInfo(nil), n.Pods...)
	}
	if len(n.PodsWithAffinity) > 0 {
		c.PodsWithAffinity = append([]fwk.PodInfo(nil), n.PodsWithAffinity...)
	}
	if len(n.PodsWithRequiredAntiAffinity) > 0 {
		c.PodsWithRequiredAntiAffinity = append([]fwk.PodInfo(nil), n.PodsWithRequiredAntiAffinity...)
	}
	for ip, ports := range n.UsedPorts {
		m := make(map[fwk.ProtocolPort]struct{}, len(ports))
		for pp := range ports {
			m[pp] = struct{}{}
		}
		c.UsedPorts[ip] = m
	}
	for name, s := range n.ImageStates {
		if s.Nodes != nil {
			c.ImageStates[name] = s.Snapshot()
		} else {
			c.ImageStates[name] = &fwk.ImageStateSummary{Size: s.Size, NumNodes: s.NumNodes}
		}
	}
	for k, v := range n.PVCRefCounts {
		c.PVCRefCounts[k] = v
	}
	return c
}

// String describes n for logs.
func (n *NodeInfo) String() string {
	names := make([]string, len(n.Pods))
	for i, p := range n.Pods {
		names[i] = p.GetPod().Name
	}
	return fmt.Sprintf("&NodeInfo{Pods:%v, RequestedResource:%#v, NonZeroRequest: %#v, UsedPort: %#v, AllocatableResource:%#v}",
		names, n.Requested, n.NonZeroRequested, n.UsedPorts, n.Allocatable)
}

// AddPodInfo adds a pod whose PodInfo is already computed.
func (n *NodeInfo) AddPodInfo(pi fwk.PodInfo) {
	n.Pods = append(n.Pods, pi)
	if podWithAffinity(pi.GetPod()) {
		n.PodsWithAffinity = append(n.PodsWithAffinity, pi)
	}
	if podWithRequiredAntiAffinity(pi.GetPod()) {
		n.PodsWithRequiredAntiAffinity = append(n.PodsWithRequiredAntiAffinity, pi)
	}
	n.update(pi, 1)
}

// AddPod adds pod, ignoring affinity parse errors as upstream does.
func (n *NodeInfo) AddPod(pod *corev1.Pod) {
	pi, _ := NewPodInfo(pod)
	n.AddPodInfo(pi)
}

// RemovePod removes the pod with pod's UID.
func (n *NodeInfo) RemovePod(logger klog.Logger, pod *corev1.Pod) error {
	if pod.UID == "" {
		return fmt.Errorf("cannot get cache key for pod %s/%s with empty UID", pod.Namespace, pod.Name)
	}
	if podWithAffinity(pod) {
		n.PodsWithAffinity, _ = removeFromSlice(n.PodsWithAffinity, pod)
	}
	if podWithRequiredAntiAffinity(pod) {
		n.PodsWithRequiredAntiAffinity, _ = removeFromSlice(n.PodsWithRequiredAntiAffinity, pod)
	}
	var removed fwk.PodInfo
	if n.Pods, removed = removeFromSlice(n.Pods, pod); removed != nil {
		n.update(removed, -1)
		return nil
	}
	return fmt.Errorf("no corresponding pod %s in pods of node %s", pod.Name, n.GetName())
}

// SetNode sets the node and its allocatable resources.
func (n *NodeInfo) SetNode(node *corev1.Node) {
	n.node = node
	n.Allocatable = NewResource(node.Status.Allocatable)
	n.DeclaredFeatures = ndf.DefaultFramework.TryMap(node.Status.DeclaredFeatures)
	n.Generation = nextGeneration()
}

// RemoveNode forgets the node but keeps the pods (they may still be deleted later).
func (n *NodeInfo) RemoveNode() {
	n.node = nil
	n.Generation = nextGeneration()
}

func (n *NodeInfo) update(pi fwk.PodInfo, sign int64) {
	pr := pi.CalculateResource()
	n.Requested.MilliCPU += sign * pr.Resource.GetMilliCPU()
	n.Requested.Memory += sign * pr.Resource.GetMemory()
	n.Requested.EphemeralStorage += sign * pr.Resource.GetEphemeralStorage()
	for name, q := range pr.Resource.GetScalarResources() {
		n.Requested.AddScalar(name, sign*q)
	}
	n.NonZeroRequested.MilliCPU += sign * pr.Non0CPU
	n.NonZeroRequested.Memory += sign * pr.Non0Mem
	pod := pi.GetPod()
	for _, p := range GetHostPorts(pod) {
		if sign > 0 {
			n.UsedPorts.Add(p.HostIP, string(p.Protocol), p.HostPort)
		} else {
			n.UsedPorts.Remove(p.HostIP, string(p.Protocol), p.HostPort)
		}
	}
	for _, key := range PodPVCKeys(pod) {
		n.PVCRefCounts[key] += int(sign)
		if n.PVCRefCounts[key] <= 0 {
			delete(n.PVCRefCounts, key)
		}
	}
	n.Generation = nextGeneration()
}

func podWithAffinity(p *corev1.Pod) bool {
	a := p.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

func podWithRequiredAntiAffinity(p *corev1.Pod) bool {
	a := p.Spec.Affinity
	return a != nil && a.PodAntiAffinity != nil && len(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution) != 0
}

// removeFromSlice removes the PodInfo with pod's UID (order is not kept, as upstream).
func removeFromSlice(s []fwk.PodInfo, pod *corev1.Pod) ([]fwk.PodInfo, fwk.PodInfo) {
	var removed fwk.PodInfo
	for i := range s {
		if s[i].GetPod().UID == pod.UID {
			removed = s[i]
			s[i] = s[len(s)-1]
			s[len(s)-1] = nil
			s = s[:len(s)-1]
			break
		}
	}
	if len(s) == 0 {
		return nil, removed
	}
	return s, removed
}
