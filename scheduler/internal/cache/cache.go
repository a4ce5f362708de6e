package cache

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// DefaultAssumedPodTTL is how long an assumed pod whose binding finished waits for the pod
// update that confirms it before it is dropped.
const DefaultAssumedPodTTL = 15 * time.Minute

// nodeItem is a NodeInfo in a list ordered by most recent change (head first), which lets
// UpdateSnapshot copy only the nodes changed since the snapshot's generation.
type nodeItem struct {
	info       *nodeinfo.NodeInfo
	prev, next *nodeItem
}

type podState struct {
	pod *corev1.Pod
	// deadline is set once binding finished for an assumed pod.
	deadline *time.Time
}

// Cache holds nodes and the pods assigned or assumed to them. It is safe for concurrent use.
type Cache struct {
	mu      sync.RWMutex
	clock   clock.Clock
	ttl     time.Duration
	nodes   map[string]*nodeItem
	head    *nodeItem
	tree    *nodeTree
	pods    map[types.UID]*podState
	assumed sets.Set[types.UID]
	images  map[string]*fwk.ImageStateSummary
	// listsDirty marks a node added or removed since the last UpdateSnapshot.
	listsDirty bool
	// pvcDirty marks a change of claim references since the last UpdateSnapshot.
	pvcDirty bool
}

// New returns an empty cache; ttl <= 0 uses DefaultAssumedPodTTL.
func New(clk clock.Clock, ttl time.Duration) *Cache {
	if ttl <= 0 {
		ttl = DefaultAssumedPodTTL
	}
	return &Cache{
		clock: clk, ttl: ttl, nodes: map[string]*nodeItem{}, tree: newNodeTree(),
		pods: map[types.UID]*podState{}, assumed: sets.New[types.UID](), images: map[string]*fwk.ImageStateSummary{},
	}
}

// Run drops expired assumed pods every period until ctx ends.
func (c *Cache) Run(ctx context.Context, period time.Duration) {
	wait.UntilWithContext(ctx, func(ctx context.Context) { c.cleanupExpired(klog.FromContext(ctx), c.clock.Now()) }, period)
}

// moveToHead marks the node as most recently changed.
func (c *Cache) moveToHead(name string) {
	it, ok := c.nodes[name]
	if !ok || it == c.head {
		return
	}
	if it.prev != nil {
		it.prev.next = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	}
	if c.head != nil {
		c.head.prev = it
	}
	it.next, it.prev = c.head, nil
	c.head = it
}

func (c *Cache) unlink(name string) {
	it, ok := c.nodes[name]
	if !ok {
		return
	}
	if it.prev != nil {
		it.prev.next = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	}
	if it == c.head {
		c.head = it.next
	}
	delete(c.nodes, name)
}

// item returns the node's entry, creating one without a Node (pods may arrive first).
func (c *Cache) item(name string) *nodeItem {
	it, ok := c.nodes[name]
	if !ok {
		it = &nodeItem{info: nodeinfo.NewNodeInfo()}
		c.nodes[name] = it
	}
	return it
}

func (c *Cache) addPodLocked(pod *corev1.Pod, assumed bool) {
	it := c.item(pod.Spec.NodeName)
	it.info.AddPod(pod)
	c.moveToHead(pod.Spec.NodeName)
	c.pods[pod.UID] = &podState{pod: pod}
	if assumed {
		c.assumed.Insert(pod.UID)
	}
	if len(nodeinfo.PodPVCKeys(pod)) > 0 {
		c.pvcDirty = true
	}
}

func (c *Cache) removePodLocked(logger klog.Logger, pod *corev1.Pod) {
	if it, ok := c.nodes[pod.Spec.NodeName]; ok {
		if err := it.info.RemovePod(logger, pod); err != nil {
			logger.Error(err, "Removing pod from the cache's node", "pod", klog.KObj(pod))
		}
		if len(it.info.Pods) == 0 && it.info.Node() == nil {
			c.unlink(pod.Spec.NodeName)
		} else {
			c.moveToHead(pod.Spec.NodeName)
		}
	}
	delete(c.pods, pod.UID)
	c.assumed.Delete(pod.UID)
	if len(nodeinfo.PodPVCKeys(pod)) > 0 {
		c.pvcDirty = true
	}
}

// AssumePod counts pod on pod.Spec.NodeName before it is bound.
func (c *Cache) AssumePod(logger klog.Logger, pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.pods[pod.UID]; ok {
		return fmt.Errorf("pod %v(%v) is in the cache, so can't be assumed", klog.KObj(pod), pod.UID)
	}
	c.addPodLocked(pod, true)
	return nil
}

// FinishBinding starts the assumed pod's expiry clock.
func (c *Cache) FinishBinding(logger klog.Logger, pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ps, ok := c.pods[pod.UID]; ok && c.assumed.Has(pod.UID) {
		d := c.clock.Now().Add(c.ttl)
		ps.deadline = &d
	}
	return nil
}

// ForgetPod undoes AssumePod.
func (c *Cache) ForgetPod(logger klog.Logger, pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.pods[pod.UID]
	if ok && ps.pod.Spec.NodeName != pod.Spec.NodeName {
		return fmt.Errorf("pod %v(%v) was assumed on %v but assigned to %v", klog.KObj(pod), pod.UID, pod.Spec.NodeName, ps.pod.Spec.NodeName)
	}
	if ok && c.assumed.Has(pod.UID) {
		c.removePodLocked(logger, ps.pod)
		return nil
	}
	return fmt.Errorf("pod %v(%v) wasn't assumed so cannot be forgotten", klog.KObj(pod), pod.UID)
}

// AddPod records a bound pod (from the informer), confirming it if it was assumed.
func (c *Cache) AddPod(logger klog.Logger, pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.pods[pod.UID]
	switch {
	case ok && c.assumed.Has(pod.UID):
		// Replace the assumed version with the real one (it may be on another node).
		c.removePodLocked(logger, ps.pod)
		c.addPodLocked(pod, false)
	case !ok:
		c.addPodLocked(pod, false)
	default:
		return fmt.Errorf("pod %v(%v) was already in added state", klog.KObj(pod), pod.UID)
	}
	return nil
}

// UpdatePod replaces a bound pod.
func (c *Cache) UpdatePod(logger klog.Logger, oldPod, newPod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.pods[oldPod.UID]
	if !ok {
		return fmt.Errorf("pod %v(%v) is not added to scheduler cache, so cannot be updated", klog.KObj(oldPod), oldPod.UID)
	}
	if c.assumed.Has(oldPod.UID) {
		// The update confirms the binding.
		c.assumed.Delete(oldPod.UID)
	}
	c.removePodLocked(logger, ps.pod)
	c.addPodLocked(newPod, false)
	return nil
}

// RemovePod forgets a pod that was deleted (or unbound).
func (c *Cache) RemovePod(logger klog.Logger, pod *corev1.Pod) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	ps, ok := c.pods[pod.UID]
	if !ok {
		return fmt.Errorf("pod %v(%v) is not found in scheduler cache, so cannot be removed from it", klog.KObj(pod), pod.UID)
	}
	c.removePodLocked(logger, ps.pod)
	return nil
}

// IsAssumedPod reports whether pod is assumed and not yet confirmed.
func (c *Cache) IsAssumedPod(pod *corev1.Pod) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.assumed.Has(pod.UID)
}

// GetPod returns the cached version of pod.
func (c *Cache) GetPod(pod *corev1.Pod) (*corev1.Pod, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ps, ok := c.pods[pod.UID]
	if !ok {
		return nil, fmt.Errorf("pod %v(%v) does not exist in scheduler cache", klog.KObj(pod), pod.UID)
	}
	return ps.pod, nil
}

func (c *Cache) cleanupExpired(logger klog.Logger, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for uid := range c.assumed {
		ps := c.pods[uid]
		if ps == nil || ps.deadline == nil || now.Before(*ps.deadline) {
			continue
		}
		logger.Info("Pod expired", "podKey", uid, "pod", klog.KObj(ps.pod))
		c.removePodLocked(logger, ps.pod)
	}
}

// Counts returns the number of nodes and pods (for tests and debugging).
func (c *Cache) Counts() (nodes, pods, assumed int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tree.numNodes, len(c.pods), c.assumed.Len()
}
