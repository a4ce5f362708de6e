package cache

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// AddNode records a node; it returns a copy of its NodeInfo.
func (c *Cache) AddNode(logger klog.Logger, node *corev1.Node) fwk.NodeInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.nodes[node.Name]
	if ok && it.info.Node() != nil {
		c.removeImages(it.info.Node())
		c.tree.update(it.info.Node(), node)
	} else {
		it = c.item(node.Name)
		c.tree.add(node)
		c.listsDirty = true
	}
	c.moveToHead(node.Name)
	c.addImages(node, it.info)
	it.info.SetNode(node)
	return it.info.Snapshot()
}

// UpdateNode replaces a node.
func (c *Cache) UpdateNode(logger klog.Logger, oldNode, newNode *corev1.Node) fwk.NodeInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.nodes[newNode.Name]
	if !ok || it.info.Node() == nil {
		it = c.item(newNode.Name)
		c.tree.add(newNode)
		c.listsDirty = true
	} else {
		c.removeImages(it.info.Node())
		c.tree.update(oldNode, newNode)
	}
	c.moveToHead(newNode.Name)
	c.addImages(newNode, it.info)
	it.info.SetNode(newNode)
	return it.info.Snapshot()
}

// RemoveNode forgets a node; its pods stay until they are deleted.
func (c *Cache) RemoveNode(logger klog.Logger, node *corev1.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.nodes[node.Name]
	if !ok {
		return
	}
	c.removeImages(node)
	it.info.RemoveNode()
	if len(it.info.Pods) == 0 {
		c.unlink(node.Name)
	} else {
		c.moveToHead(node.Name)
	}
	c.tree.remove(node)
	c.listsDirty = true
}

// addImages links the node's images into the shared summaries (with their Nodes sets) and
// makes them the NodeInfo's image states.
func (c *Cache) addImages(node *corev1.Node, info *nodeinfo.NodeInfo) {
	states := make(map[string]*fwk.ImageStateSummary, len(node.Status.Images))
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			s, ok := c.images[name]
			if !ok {
				s = &fwk.ImageStateSummary{Size: img.SizeBytes, Nodes: sets.New[string]()}
				c.images[name] = s
			}
			s.Nodes.Insert(node.Name)
			s.NumNodes = s.Nodes.Len()
			states[name] = s
		}
	}
	info.ImageStates = states
}

func (c *Cache) removeImages(node *corev1.Node) {
	if node == nil {
		return
	}
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			if s, ok := c.images[name]; ok {
				s.Nodes.Delete(node.Name)
				s.NumNodes = s.Nodes.Len()
				if s.Nodes.Len() == 0 {
					delete(c.images, name)
				}
			}
		}
	}
}
