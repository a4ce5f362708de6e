package garbagecollector

import (
	"slices"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// node is an object of the graph. identity never changes once a node is in the graph (a
// virtual node whose real identity turns out different is replaced by a copy); the other
// fields are guarded by the graph's lock.
type node struct {
	identity objectRef
	// dependents are the nodes with an ownerReference to this one; nil until there is one.
	dependents map[*node]struct{}
	owners     []metav1.OwnerReference
	// beingDeleted: the object has a deletionTimestamp. deletingDependents: also the
	// foregroundDeletion finalizer.
	beingDeleted, deletingDependents bool
	// virtual nodes stand for owners the dependents name but no informer has shown yet.
	virtual bool
}

func (n *node) addDependent(dep *node) {
	if n.dependents == nil {
		n.dependents = map[*node]struct{}{}
	}
	n.dependents[dep] = struct{}{}
}

func (n *node) dependentList() []*node {
	out := make([]*node, 0, len(n.dependents))
	for d := range n.dependents {
		out = append(out, d)
	}
	return out
}

// clone copies n (with its own dependents set) so that a changed identity can replace it.
func (n *node) clone() *node {
	c := *n
	c.dependents = nil
	for d := range n.dependents {
		c.addDependent(d)
	}
	c.owners = slices.Clone(n.owners)
	return &c
}

// graph maps uids to nodes. The event processor is its only writer; workers read through
// the methods below.
type graph struct {
	mu    sync.RWMutex
	nodes map[types.UID]*node
}

func newGraph() *graph { return &graph{nodes: map[types.UID]*node{}} }

// nodeState is what a worker reads of a node at once.
type nodeState struct {
	virtual, beingDeleted, deletingDependents bool
	dependents                                int
}

func (g *graph) state(n *node) nodeState {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return nodeState{virtual: n.virtual, beingDeleted: n.beingDeleted, deletingDependents: n.deletingDependents, dependents: len(n.dependents)}
}

func (g *graph) get(uid types.UID) (*node, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	n, ok := g.nodes[uid]
	return n, ok
}

func (g *graph) observed(n *node) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return !n.virtual
}

func (g *graph) dependents(n *node) []*node {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return n.dependentList()
}

func (g *graph) owners(n *node) []metav1.OwnerReference {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return slices.Clone(n.owners)
}

// anyDependentDeletingDependents reports whether a dependent of n waits for its own
// dependents (a possible cycle).
func (g *graph) anyDependentDeletingDependents(n *node) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for d := range n.dependents {
		if d.deletingDependents {
			return true
		}
	}
	return false
}

// blockingDependents returns the dependents of n whose ownerReference to n blocks its
// deletion, and which of them wait for their own dependents.
func (g *graph) blockingDependents(n *node) (blocking []*node, deleting []bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	for d := range n.dependents {
		for _, ref := range d.owners {
			if ref.UID == n.identity.UID && blocks(ref) {
				blocking = append(blocking, d)
				deleting = append(deleting, d.deletingDependents)
			}
		}
	}
	return blocking, deleting
}

// size is the number of nodes, for tests and logs.
func (g *graph) size() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.nodes)
}
