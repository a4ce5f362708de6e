package cache

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/node/topology"
)

// nodeTree groups node names by zone so the node list interleaves zones, as upstream.
type nodeTree struct {
	tree     map[string][]string
	zones    []string
	numNodes int
}

func newNodeTree() *nodeTree { return &nodeTree{tree: map[string][]string{}} }

func (t *nodeTree) add(n *corev1.Node) {
	zone := topology.GetZoneKey(n)
	names, ok := t.tree[zone]
	if slices.Contains(names, n.Name) {
		return
	}
	if !ok {
		t.zones = append(t.zones, zone)
	}
	t.tree[zone] = append(names, n.Name)
	t.numNodes++
}

func (t *nodeTree) remove(n *corev1.Node) {
	zone := topology.GetZoneKey(n)
	names := t.tree[zone]
	i := slices.Index(names, n.Name)
	if i < 0 {
		return
	}
	names = slices.Delete(names, i, i+1)
	t.numNodes--
	if len(names) > 0 {
		t.tree[zone] = names
		return
	}
	delete(t.tree, zone)
	if j := slices.Index(t.zones, zone); j >= 0 {
		t.zones = slices.Delete(t.zones, j, j+1)
	}
}

func (t *nodeTree) update(old, n *corev1.Node) {
	if old != nil && topology.GetZoneKey(old) == topology.GetZoneKey(n) {
		return
	}
	if old != nil {
		t.remove(old)
	}
	t.add(n)
}

// list returns node names taking one node from each zone in turn.
func (t *nodeTree) list() []string {
	out := make([]string, 0, t.numNodes)
	for i := 0; len(out) < t.numNodes; i++ {
		added := false
		for _, z := range t.zones {
			if names := t.tree[z]; i < len(names) {
				out = append(out, names[i])
				added = true
			}
		}
		if !added {
			break
		}
	}
	return out
}
