package garbagecollector

import (
	"context"
	"slices"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

type eventType int

const (
	addEvent eventType = iota
	updateEvent
	deleteEvent
)

// event is an informer's notification, or a virtual delete the workers make when an object
// turns out not to exist.
type event struct {
	typ     eventType
	virtual bool
	obj     *metav1.PartialObjectMetadata
	// old is the previous state of an update.
	old              *metav1.PartialObjectMetadata
	apiVersion, kind string
}

func (e *event) identity() objectRef {
	return objectRef{APIVersion: e.apiVersion, Kind: e.kind, Namespace: e.obj.Namespace, Name: e.obj.Name, UID: e.obj.UID}
}

// enqueueVirtualDelete makes the graph forget ref, which the API server says is gone.
func (gc *GarbageCollector) enqueueVirtualDelete(ref objectRef) {
	gc.graphChanges.Add(&event{
		typ: deleteEvent, virtual: true, apiVersion: ref.APIVersion, kind: ref.Kind,
		obj: &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ref.Namespace, Name: ref.Name, UID: ref.UID}},
	})
}

func (gc *GarbageCollector) processGraphChange(ctx context.Context) bool {
	e, quit := gc.graphChanges.Get()
	if quit {
		return false
	}
	defer gc.graphChanges.Done(e)
	gc.processEvent(log.FromContext(ctx), e)
	return true
}

// processEvent applies one event to the graph and queues the nodes that need a look.
func (gc *GarbageCollector) processEvent(logger logr.Logger, e *event) {
	g := gc.graph
	g.mu.Lock()
	defer g.mu.Unlock()
	logger.V(5).Info("GraphBuilder process object", "apiVersion", e.apiVersion, "kind", e.kind,
		"object", e.obj.Namespace+"/"+e.obj.Name, "uid", e.obj.UID, "eventType", e.typ, "virtual", e.virtual)

	existing, found := g.nodes[e.obj.UID]
	if found && !e.virtual && existing.virtual {
		// First sight of an object known so far only from its dependents' references.
		observed := e.identity()
		if observed != existing.identity {
			// Dependents that named it otherwise get checked; the namespace mismatch is
			// certainly wrong.
			_, invalid := partitionDependents(existing.dependentList(), observed)
			for _, dep := range invalid {
				if observed.Namespace != "" && dep.identity.Namespace != observed.Namespace {
					logger.V(2).Info("item references an owner but does not match namespaces", "item", dep.identity, "owner", observed)
					gc.reportInvalidNamespaceOwnerRef(dep, observed.UID)
				}
				gc.attemptToDelete.Add(dep)
			}
			logger.V(2).Info("replacing virtual item with observed item", "virtual", existing.identity, "observed", observed)
			existing = existing.clone()
			existing.identity = observed
			g.nodes[observed.UID] = existing
		}
		existing.virtual = false
	}

	switch {
	case e.typ != deleteEvent && !found:
		n := &node{
			identity:           e.identity(),
			owners:             e.obj.OwnerReferences,
			beingDeleted:       beingDeleted(e.obj),
			deletingDependents: beingDeleted(e.obj) && hasFinalizer(e.obj, metav1.FinalizerDeleteDependents),
		}
		g.nodes[n.identity.UID] = n
		gc.addDependentToOwners(logger, n, n.owners)
		// An add may stand for a create and a delete folded together.
		gc.processTransitions(logger, e.old, e.obj, n)
	case e.typ != deleteEvent:
		added, removed, changed := referencesDiffs(existing.owners, e.obj.OwnerReferences)
		if len(added)+len(removed)+len(changed) > 0 {
			gc.queueUnblockedOwners(removed, changed)
			existing.owners = e.obj.OwnerReferences
			gc.addDependentToOwners(logger, existing, added)
			gc.removeDependentFromOwners(existing, removed)
		}
		if beingDeleted(e.obj) {
			existing.beingDeleted = true
		}
		gc.processTransitions(logger, e.old, e.obj, existing)
	default:
		if !found {
			logger.V(5).Info("item doesn't exist in the graph, this shouldn't happen", "item", e.obj.UID)
			return
		}
		if e.virtual && !gc.virtualDeleteRemoves(existing, e.identity()) {
			return
		}
		gc.removeNode(existing)
		if len(existing.dependents) > 0 {
			gc.absentOwners.Add(e.identity(), nil)
		}
		for dep := range existing.dependents {
			gc.attemptToDelete.Add(dep)
		}
		for _, owner := range existing.owners {
			if on, ok := g.nodes[owner.UID]; ok && on.deletingDependents {
				// It may have been the owner's last blocking dependent.
				gc.attemptToDelete.Add(on)
			}
		}
	}
}

// virtualDeleteRemoves handles a virtual delete of deleted (verified absent) for node n and
// reports whether n is to be removed: not when some dependents name n's uid with other
// coordinates, which may yet exist.
func (gc *GarbageCollector) virtualDeleteRemoves(n *node, deleted objectRef) bool {
	if !n.virtual && n.identity == deleted {
		return true
	}
	matching, nonmatching := partitionDependents(n.dependentList(), deleted)
	if n.virtual && len(nonmatching) == 0 {
		return true
	}
	if len(matching) > 0 {
		gc.absentOwners.Add(deleted, nil)
		for _, dep := range matching {
			gc.attemptToDelete.Add(dep)
		}
	}
	if n.virtual && n.identity == deleted {
		// Look for the owner under another identity its dependents give it.
		if alt := alternateOwnerIdentity(nonmatching, deleted); alt != nil {
			replacement := n.clone()
			replacement.identity = *alt
			gc.graph.nodes[alt.UID] = replacement
			gc.attemptToDelete.AddRateLimited(replacement)
		}
	}
	return false
}

// addDependentToOwners adds n to the dependents of owners, making virtual nodes for owners
// not in the graph (queued, so that a worker checks they exist). n itself is queued when an
// owner's known identity contradicts its reference.
func (gc *GarbageCollector) addDependentToOwners(logger logr.Logger, n *node, owners []metav1.OwnerReference) {
	g := gc.graph
	suspicious := false
	for _, owner := range owners {
		on, ok := g.nodes[owner.UID]
		if !ok {
			on = &node{identity: refTo(owner, n.identity.Namespace), virtual: true}
			logger.V(5).Info("add virtual item", "identity", on.identity)
			g.nodes[owner.UID] = on
		}
		on.addDependent(n)
		switch {
		case !ok:
			gc.attemptToDelete.Add(on)
		case suspicious:
		case on.identity.Namespace != "" && on.identity.Namespace != n.identity.Namespace:
			// Cluster-scoped owners may be named from anywhere; namespaced ones only from
			// their namespace.
			if !on.virtual {
				logger.V(2).Info("item references an owner but does not match namespaces", "item", n.identity, "owner", on.identity)
				gc.reportInvalidNamespaceOwnerRef(n, owner.UID)
			}
			suspicious = true
		case !on.identity.matches(owner):
			if !on.virtual {
				logger.V(2).Info("item references an owner with coordinates that do not match the observed identity", "item", n.identity, "owner", on.identity)
			}
			suspicious = true
		case on.identity.Namespace == "" && n.identity.Namespace != "" && on.virtual:
			// A virtual cluster-scoped owner: it may be a namespaced type wrongly named by a
			// cluster-scoped object (kubernetes#98040).
			suspicious = true
		}
	}
	if suspicious {
		gc.attemptToDelete.Add(n)
	}
}

func (gc *GarbageCollector) removeDependentFromOwners(n *node, owners []metav1.OwnerReference) {
	for _, owner := range owners {
		if on, ok := gc.graph.nodes[owner.UID]; ok {
			delete(on.dependents, n)
		}
	}
}

func (gc *GarbageCollector) removeNode(n *node) {
	delete(gc.graph.nodes, n.identity.UID)
	gc.removeDependentFromOwners(n, n.owners)
}

// queueUnblockedOwners queues owners an ownerReference stopped blocking: they may be waiting
// for their blocking dependents.
func (gc *GarbageCollector) queueUnblockedOwners(removed []metav1.OwnerReference, changed []refPair) {
	for _, ref := range removed {
		if blocks(ref) {
			if on, ok := gc.graph.nodes[ref.UID]; ok {
				gc.attemptToDelete.Add(on)
			}
		}
	}
	for _, c := range changed {
		if blocks(c.old) && !blocks(c.new) {
			if on, ok := gc.graph.nodes[c.new.UID]; ok {
				gc.attemptToDelete.Add(on)
			}
		}
	}
}

// processTransitions queues an object that just started being deleted with the orphan
// finalizer (to orphan its dependents) or the foregroundDeletion one (to delete them first).
func (gc *GarbageCollector) processTransitions(logger logr.Logger, old, obj *metav1.PartialObjectMetadata, n *node) {
	if startsDeletionWith(old, obj, metav1.FinalizerOrphanDependents) {
		logger.V(5).Info("add item to attemptToOrphan", "item", n.identity)
		gc.attemptToOrphan.Add(n)
		return
	}
	if startsDeletionWith(old, obj, metav1.FinalizerDeleteDependents) {
		logger.V(2).Info("add item to attemptToDelete, because it's waiting for its dependents to be deleted", "item", n.identity)
		n.deletingDependents = true
		for dep := range n.dependents {
			gc.attemptToDelete.Add(dep)
		}
		gc.attemptToDelete.Add(n)
	}
}

// startsDeletionWith: obj is being deleted with finalizer and old was not (or lacked it).
func startsDeletionWith(old, obj *metav1.PartialObjectMetadata, finalizer string) bool {
	if !beingDeleted(obj) || !hasFinalizer(obj, finalizer) {
		return false
	}
	return old == nil || !beingDeleted(old) || !hasFinalizer(old, finalizer)
}

func beingDeleted(obj metav1.Object) bool { return obj.GetDeletionTimestamp() != nil }

func hasFinalizer(obj metav1.Object, finalizer string) bool {
	return slices.Contains(obj.GetFinalizers(), finalizer)
}

// reportInvalidNamespaceOwnerRef records upstream's warning on n about its reference to uid.
func (gc *GarbageCollector) reportInvalidNamespaceOwnerRef(n *node, uid types.UID) {
	i := slices.IndexFunc(n.owners, func(r metav1.OwnerReference) bool { return r.UID == uid })
	if i < 0 {
		return
	}
	invalid := refTo(n.owners[i], n.identity.Namespace)
	ref := &corev1.ObjectReference{
		Kind: n.identity.Kind, APIVersion: n.identity.APIVersion,
		Namespace: n.identity.Namespace, Name: n.identity.Name, UID: n.identity.UID,
	}
	gc.recorder.Eventf(ref, corev1.EventTypeWarning, "OwnerRefInvalidNamespace", "ownerRef %s does not exist in namespace %q", invalid, n.identity.Namespace)
}
