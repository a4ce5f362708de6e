package cache

import (
	"fmt"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// UpdateSnapshot copies into s the nodes changed since s's generation, and rebuilds its lists
// when nodes were added or removed or a node gained or lost pods with (anti-)affinity.
func (c *Cache) UpdateSnapshot(s *nodeinfo.Snapshot) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	gen := s.Generation()
	rebuildAll := c.listsDirty
	rebuildAffinity := false
	for it := c.head; it != nil; it = it.next {
		if it.info.Generation <= gen {
			break
		}
		n := it.info.Node()
		if n == nil {
			continue
		}
		if old := s.NodeInfo(n.Name); old != nil {
			if (len(old.PodsWithAffinity) > 0) != (len(it.info.PodsWithAffinity) > 0) ||
				(len(old.PodsWithRequiredAntiAffinity) > 0) != (len(it.info.PodsWithRequiredAntiAffinity) > 0) {
				rebuildAffinity = true
			}
		}
		if s.Set(n.Name, it.info) {
			rebuildAll = true
		}
	}
	if c.head != nil {
		s.SetGeneration(c.head.info.Generation)
	}
	if rebuildAll {
		for _, name := range s.Names() {
			if it, ok := c.nodes[name]; !ok || it.info.Node() == nil {
				s.Remove(name)
			}
		}
		s.RebuildLists(c.tree.list())
	} else if rebuildAffinity {
		s.RebuildAffinityLists()
	}
	if rebuildAll || c.pvcDirty {
		s.RebuildUsedPVCs()
	}
	c.listsDirty, c.pvcDirty = false, false
	if s.NumNodes() != c.tree.numNodes {
		s.RebuildLists(c.tree.list())
		return fmt.Errorf("snapshot state is not consistent, length of NodeInfoList=%v not equal to length of nodes in tree=%v, trying to recover",
			s.NumNodes(), c.tree.numNodes)
	}
	return nil
}
