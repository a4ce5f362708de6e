package runtime

import (
	"slices"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// Nominator tracks pods nominated to nodes (status.nominatedNodeName, or a PostFilter
// result); it implements framework.PodNominator and is safe for concurrent use.
type Nominator struct {
	mu        sync.RWMutex
	podLister listersv1.PodLister
	byNode    map[string][]fwk.PodInfo
	podToNode map[types.UID]string
	// count mirrors len(podToNode) so that Filter, asking for every node, skips the lock
	// while nothing is nominated (the usual case).
	count atomic.Int64
}

var _ fwk.PodNominator = &Nominator{}

// NewNominator returns an empty Nominator; with a podLister it refuses pods that are gone or
// already bound.
func NewNominator(podLister listersv1.PodLister) *Nominator {
	return &Nominator{podLister: podLister, byNode: map[string][]fwk.PodInfo{}, podToNode: map[types.UID]string{}}
}

// AddNominatedPod (re)nominates pi: to ni's node in ModeOverride, else to its
// status.nominatedNodeName.
func (n *Nominator) AddNominatedPod(logger klog.Logger, pi fwk.PodInfo, ni *fwk.NominatingInfo) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.addLocked(logger, pi, ni)
}

func (n *Nominator) addLocked(logger klog.Logger, pi fwk.PodInfo, ni *fwk.NominatingInfo) {
	pod := pi.GetPod()
	n.deleteLocked(pod)
	nodeName := pod.Status.NominatedNodeName
	if ni.Mode() == fwk.ModeOverride {
		nodeName = ni.NominatedNodeName
	}
	if nodeName == "" {
		return
	}
	if n.podLister != nil {
		cur, err := n.podLister.Pods(pod.Namespace).Get(pod.Name)
		if err != nil {
			logger.V(4).Info("Pod doesn't exist in podLister, aborted adding it to the nominator", "pod", klog.KObj(pod))
			return
		}
		if cur.Spec.NodeName != "" {
			logger.V(4).Info("Pod is already scheduled to a node, aborted adding it to the nominator", "pod", klog.KObj(pod), "node", cur.Spec.NodeName)
			return
		}
	}
	n.podToNode[pod.UID] = nodeName
	n.byNode[nodeName] = append(n.byNode[nodeName], pi)
	n.count.Store(int64(len(n.podToNode)))
}

// DeleteNominatedPodIfExists forgets pod's nomination.
func (n *Nominator) DeleteNominatedPodIfExists(pod *corev1.Pod) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.deleteLocked(pod)
}

func (n *Nominator) deleteLocked(pod *corev1.Pod) {
	node, ok := n.podToNode[pod.UID]
	if !ok {
		return
	}
	list := n.byNode[node]
	for i, pi := range list {
		if pi.GetPod().UID == pod.UID {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(n.byNode, node)
	} else {
		n.byNode[node] = list
	}
	delete(n.podToNode, pod.UID)
	n.count.Store(int64(len(n.podToNode)))
}

// UpdateNominatedPod replaces oldPod with newPodInfo, keeping a nomination the scheduler made
// when neither version carries status.nominatedNodeName yet.
func (n *Nominator) UpdateNominatedPod(logger klog.Logger, oldPod *corev1.Pod, newPodInfo fwk.PodInfo) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var ni *fwk.NominatingInfo
	if oldPod.Status.NominatedNodeName == "" && newPodInfo.GetPod().Status.NominatedNodeName == "" {
		if node, ok := n.podToNode[oldPod.UID]; ok {
			ni = &fwk.NominatingInfo{NominatingMode: fwk.ModeOverride, NominatedNodeName: node}
		}
	}
	n.deleteLocked(oldPod)
	n.addLocked(logger, newPodInfo, ni)
}

// NominatedPodsForNode returns the pods nominated to nodeName.
func (n *Nominator) NominatedPodsForNode(nodeName string) []fwk.PodInfo {
	if n.count.Load() == 0 {
		return nil
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return slices.Clone(n.byNode[nodeName])
}

// NominatedNode returns the node uid is nominated to, if any.
func (n *Nominator) NominatedNode(uid types.UID) (string, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	node, ok := n.podToNode[uid]
	return node, ok
}
