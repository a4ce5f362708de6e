package nodeinfo

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedulingv1alpha3 "k8s.io/api/scheduling/v1alpha3"
	schedulingv1beta1 "k8s.io/api/scheduling/v1beta1"
	"k8s.io/apimachinery/pkg/util/sets"
	fwk "k8s.io/kube-scheduler/framework"
)

// Snapshot is the state of the cluster a scheduling cycle works on; it implements
// framework.SharedLister. It is not safe for concurrent mutation.
type Snapshot struct {
	nodeInfoMap map[string]*NodeInfo
	// nodeInfoList is in the cache's node order (zones interleaved).
	nodeInfoList             []fwk.NodeInfo
	havePodsWithAffinity     []fwk.NodeInfo
	havePodsWithRequiredAnti []fwk.NodeInfo
	usedPVCSet               sets.Set[string]
	generation               int64
}

var _ fwk.SharedLister = &Snapshot{}

// NewEmptySnapshot returns a snapshot without nodes.
func NewEmptySnapshot() *Snapshot {
	return &Snapshot{nodeInfoMap: map[string]*NodeInfo{}, usedPVCSet: sets.New[string]()}
}

// NewSnapshot builds a snapshot of nodes with the pods bound to them (pods whose
// spec.nodeName names a node); nodes keep the given order. Image states are computed.
func NewSnapshot(pods []*corev1.Pod, nodes []*corev1.Node) *Snapshot {
	s := NewEmptySnapshot()
	for _, p := range pods {
		name := p.Spec.NodeName
		if name == "" {
			continue
		}
		if _, ok := s.nodeInfoMap[name]; !ok {
			s.nodeInfoMap[name] = NewNodeInfo()
		}
		s.nodeInfoMap[name].AddPod(p)
	}
	images := ImageExistence(nodes)
	order := make([]string, 0, len(nodes))
	for _, n := range nodes {
		ni, ok := s.nodeInfoMap[n.Name]
		if !ok {
			ni = NewNodeInfo()
			s.nodeInfoMap[n.Name] = ni
		}
		ni.SetNode(n)
		ni.ImageStates = NodeImageStates(n, images)
		order = append(order, n.Name)
	}
	s.RebuildLists(order)
	s.RebuildUsedPVCs()
	return s
}

// NodeImageStates summarises the images on node; images maps image names to the nodes
// that have them (see ImageExistence).
func NodeImageStates(node *corev1.Node, images map[string]sets.Set[string]) map[string]*fwk.ImageStateSummary {
	out := make(map[string]*fwk.ImageStateSummary, len(node.Status.Images))
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			out[name] = &fwk.ImageStateSummary{Size: img.SizeBytes, NumNodes: images[name].Len()}
		}
	}
	return out
}

// ImageExistence maps each image name to the nodes that have it.
func ImageExistence(nodes []*corev1.Node) map[string]sets.Set[string] {
	m := map[string]sets.Set[string]{}
	for _, n := range nodes {
		for _, img := range n.Status.Images {
			for _, name := range img.Names {
				if m[name] == nil {
					m[name] = sets.New[string]()
				}
				m[name].Insert(n.Name)
			}
		}
	}
	return m
}

// NodeInfos returns the node lister.
func (s *Snapshot) NodeInfos() fwk.NodeInfoLister { return s }

// StorageInfos returns the storage lister.
func (s *Snapshot) StorageInfos() fwk.StorageInfoLister { return s }

// NumNodes is the number of nodes in the list.
func (s *Snapshot) NumNodes() int { return len(s.nodeInfoList) }

// List returns the nodes in the cache's order.
func (s *Snapshot) List() ([]fwk.NodeInfo, error) { return s.nodeInfoList, nil }

// HavePodsWithAffinityList returns the nodes with pods that have inter-pod (anti-)affinity.
func (s *Snapshot) HavePodsWithAffinityList() ([]fwk.NodeInfo, error) {
	return s.havePodsWithAffinity, nil
}

// HavePodsWithRequiredAntiAffinityList returns the nodes with pods that have required
// anti-affinity.
func (s *Snapshot) HavePodsWithRequiredAntiAffinityList() ([]fwk.NodeInfo, error) {
	return s.havePodsWithRequiredAnti, nil
}

// HavePodsWithRequiredNonHostScopedAntiAffinityList is empty (upstream's gate is off).
func (s *Snapshot) HavePodsWithRequiredNonHostScopedAntiAffinityList() ([]fwk.NodeInfo, error) {
	return nil, nil
}

// Get returns the named node's NodeInfo.
func (s *Snapshot) Get(name string) (fwk.NodeInfo, error) {
	ni, ok := s.nodeInfoMap[name]
	if !ok || ni.Node() == nil {
		return nil, fmt.Errorf("nodeinfo not found for node name %q", name)
	}
	return ni, nil
}

// IsPVCUsedByPods reports whether a pod on some node uses the "namespace/name" claim.
func (s *Snapshot) IsPVCUsedByPods(key string) bool { return s.usedPVCSet.Has(key) }

// PodGroupStates, PodGroups and the composite listers are empty: skiff does not ship
// gang scheduling (upstream's GenericWorkload gate is off).
func (s *Snapshot) PodGroupStates() fwk.PodGroupStateLister { return emptyGroupStates{} }
func (s *Snapshot) PodGroups() fwk.PodGroupLister           { return emptyGroups{} }
func (s *Snapshot) CompositePodGroupStates() fwk.CompositePodGroupStateLister {
	return emptyCompositeStates{}
}
func (s *Snapshot) CompositePodGroups() fwk.CompositePodGroupLister { return emptyComposite{} }

// Generation is the cache generation the snapshot was last updated to.
func (s *Snapshot) Generation() int64 { return s.generation }

// SetGeneration records the cache generation the snapshot is up to date with.
func (s *Snapshot) SetGeneration(g int64) { s.generation = g }

// NodeInfo returns the snapshot's own NodeInfo for name (nil if absent), for the cache.
func (s *Snapshot) NodeInfo(name string) *NodeInfo { return s.nodeInfoMap[name] }

// Names returns the names of the nodes in the map (unordered), for the cache.
func (s *Snapshot) Names() []string {
	out := make([]string, 0, len(s.nodeInfoMap))
	for n := range s.nodeInfoMap {
		out = append(out, n)
	}
	return out
}

// Set makes the snapshot hold a copy of ni under name. An existing entry is overwritten in
// place so the lists that point to it stay valid. It returns whether name is new.
func (s *Snapshot) Set(name string, ni *NodeInfo) bool {
	c := ni.SnapshotConcrete()
	if old, ok := s.nodeInfoMap[name]; ok {
		*old = *c
		return false
	}
	s.nodeInfoMap[name] = c
	return true
}

// Remove drops name; RebuildLists must follow.
func (s *Snapshot) Remove(name string) { delete(s.nodeInfoMap, name) }

// RebuildLists rebuilds the node lists in the given order (names not in the map are skipped).
func (s *Snapshot) RebuildLists(order []string) {
	s.nodeInfoList = make([]fwk.NodeInfo, 0, len(order))
	s.havePodsWithAffinity = nil
	s.havePodsWithRequiredAnti = nil
	for _, name := range order {
		ni, ok := s.nodeInfoMap[name]
		if !ok || ni.Node() == nil {
			continue
		}
		s.nodeInfoList = append(s.nodeInfoList, ni)
		if len(ni.PodsWithAffinity) > 0 {
			s.havePodsWithAffinity = append(s.havePodsWithAffinity, ni)
		}
		if len(ni.PodsWithRequiredAntiAffinity) > 0 {
			s.havePodsWithRequiredAnti = append(s.havePodsWithRequiredAnti, ni)
		}
	}
}

// RebuildAffinityLists rebuilds only the affinity lists from the node list.
func (s *Snapshot) RebuildAffinityLists() {
	s.havePodsWithAffinity = nil
	s.havePodsWithRequiredAnti = nil
	for _, n := range s.nodeInfoList {
		ni := n.(*NodeInfo)
		if len(ni.PodsWithAffinity) > 0 {
			s.havePodsWithAffinity = append(s.havePodsWithAffinity, ni)
		}
		if len(ni.PodsWithRequiredAntiAffinity) > 0 {
			s.havePodsWithRequiredAnti = append(s.havePodsWithRequiredAnti, ni)
		}
	}
}

// RebuildUsedPVCs recomputes the set of claims used by pods.
func (s *Snapshot) RebuildUsedPVCs() {
	s.usedPVCSet = sets.New[string]()
	for _, ni := range s.nodeInfoMap {
		for key := range ni.PVCRefCounts {
			s.usedPVCSet.Insert(key)
		}
	}
}

type emptyGroups struct{}

func (emptyGroups) Get(namespace, name string) (*schedulingv1beta1.PodGroup, error) {
	return nil, fmt.Errorf("pod group %s/%s not found", namespace, name)
}

type emptyComposite struct{}

func (emptyComposite) Get(namespace, name string) (*schedulingv1alpha3.CompositePodGroup, error) {
	return nil, fmt.Errorf("composite pod group %s/%s not found", namespace, name)
}

type emptyGroupStates struct{}

func (emptyGroupStates) Get(namespace, name string) (fwk.PodGroupState, error) {
	return nil, fmt.Errorf("pod group %s/%s not found", namespace, name)
}

type emptyCompositeStates struct{}

func (emptyCompositeStates) Get(namespace, name string) (fwk.CompositePodGroupState, error) {
	return nil, fmt.Errorf("composite pod group %s/%s not found", namespace, name)
}
