package garbagecollector

import (
	"strings"
	"testing"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
)

// harness feeds events straight to the graph.
type harness struct {
	t        *testing.T
	gc       *GarbageCollector
	recorder *record.FakeRecorder
}

func newHarness(t *testing.T) *harness {
	rec := record.NewFakeRecorder(10)
	gc := New(nil, nil, nil, rec, 1)
	t.Cleanup(func() {
		gc.attemptToDelete.ShutDown()
		gc.attemptToOrphan.ShutDown()
		gc.graphChanges.ShutDown()
	})
	return &harness{t: t, gc: gc, recorder: rec}
}

type objOpt func(*metav1.PartialObjectMetadata)

func withOwners(refs ...metav1.OwnerReference) objOpt {
	return func(o *metav1.PartialObjectMetadata) { o.OwnerReferences = refs }
}

func deleting(finalizers ...string) objOpt {
	return func(o *metav1.PartialObjectMetadata) {
		o.DeletionTimestamp = &metav1.Time{}
		o.Finalizers = finalizers
	}
}

func obj(ns, name string, uid types.UID, opts ...objOpt) *metav1.PartialObjectMetadata {
	o := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid}}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

func (h *harness) send(typ eventType, kind string, o, old *metav1.PartialObjectMetadata) {
	h.gc.processEvent(logr.Discard(), &event{typ: typ, obj: o, old: old, apiVersion: "v1", kind: kind})
}

// drain empties a queue and returns the identities it held.
func drain(q interface {
	Len() int
	Get() (*node, bool)
	Done(*node)
}) []objectRef {
	var out []objectRef
	for q.Len() > 0 {
		n, _ := q.Get()
		q.Done(n)
		out = append(out, n.identity)
	}
	return out
}

func names(refs []objectRef) string {
	var s []string
	for _, r := range refs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}

func (h *harness) deleteQueue() string { return names(drain(h.gc.attemptToDelete)) }

func TestVirtualOwnerThenObserved(t *testing.T) {
	h := newHarness(t)
	h.send(addEvent, "Secret", obj("a", "dep", "d", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	owner, ok := h.gc.graph.get("o")
	if !ok || !owner.virtual || owner.identity.Namespace != "a" {
		t.Fatalf("virtual owner %+v, %v", owner, ok)
	}
	if got := h.deleteQueue(); got != "owner" {
		t.Errorf("attemptToDelete %q, want the virtual owner", got)
	}
	h.send(addEvent, "ConfigMap", obj("a", "owner", "o"), nil)
	observed, _ := h.gc.graph.get("o")
	if observed != owner || observed.virtual {
		t.Errorf("owner not observed in place: %+v", observed)
	}
	if got := h.deleteQueue(); got != "" {
		t.Errorf("attemptToDelete %q, want empty", got)
	}
	if len(observed.dependents) != 1 {
		t.Errorf("dependents %v", observed.dependents)
	}
}

func TestObservedInOtherNamespace(t *testing.T) {
	h := newHarness(t)
	// The dependent first: its owner turns out to live elsewhere.
	h.send(addEvent, "Secret", obj("b", "dep", "d", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	h.deleteQueue()
	h.send(addEvent, "ConfigMap", obj("a", "owner", "o"), nil)
	owner, _ := h.gc.graph.get("o")
	if owner.virtual || owner.identity.Namespace != "a" {
		t.Errorf("owner %+v", owner.identity)
	}
	if got := h.deleteQueue(); got != "dep" {
		t.Errorf("attemptToDelete %q, want dep", got)
	}
	wantEvent := `Warning OwnerRefInvalidNamespace ownerRef [v1/ConfigMap, namespace: b, name: owner, uid: o] does not exist in namespace "b"`
	if got := <-h.recorder.Events; got != wantEvent {
		t.Errorf("event %q, want %q", got, wantEvent)
	}

	// The owner first: the dependent is reported and queued when added.
	h.send(addEvent, "Secret", obj("c", "dep2", "d2", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	if got := h.deleteQueue(); got != "dep2" {
		t.Errorf("attemptToDelete %q, want dep2", got)
	}
	if got := <-h.recorder.Events; !strings.Contains(got, `does not exist in namespace "c"`) {
		t.Errorf("event %q", got)
	}

	// A cluster-scoped dependent of a namespaced owner.
	h.send(addEvent, "ClusterRole", obj("", "role", "r", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	if got := h.deleteQueue(); got != "role" {
		t.Errorf("attemptToDelete %q, want role", got)
	}
	wantEvent = `Warning OwnerRefInvalidNamespace ownerRef [v1/ConfigMap, namespace: , name: owner, uid: o] does not exist in namespace ""`
	if got := <-h.recorder.Events; got != wantEvent {
		t.Errorf("event %q, want %q", got, wantEvent)
	}
}

func TestMismatchedCoordinatesQueued(t *testing.T) {
	h := newHarness(t)
	h.send(addEvent, "ConfigMap", obj("a", "owner", "o"), nil)
	h.send(addEvent, "Secret", obj("a", "dep", "d", withOwners(ownerRef("ConfigMap", "renamed", "o"))), nil)
	if got := h.deleteQueue(); got != "dep" {
		t.Errorf("attemptToDelete %q, want dep", got)
	}
	// A virtual cluster-scoped owner named from a namespace is checked too.
	h.send(addEvent, "Node", obj("", "node", "n"), nil)
	h.send(addEvent, "Secret", obj("a", "ok", "d2", withOwners(ownerRef("Node", "node", "n"))), nil)
	if got := h.deleteQueue(); got != "" {
		t.Errorf("attemptToDelete %q for a valid cluster-scoped owner", got)
	}
}

func TestDeleteEvent(t *testing.T) {
	h := newHarness(t)
	h.send(addEvent, "ConfigMap", obj("a", "owner", "o"), nil)
	h.send(addEvent, "Secret", obj("a", "d1", "d1", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	h.send(addEvent, "Secret", obj("a", "d2", "d2", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	h.send(deleteEvent, "ConfigMap", obj("a", "owner", "o"), nil)
	if _, ok := h.gc.graph.get("o"); ok {
		t.Error("owner still in the graph")
	}
	if got := drain(h.gc.attemptToDelete); len(got) != 2 {
		t.Errorf("attemptToDelete %v, want both dependents", got)
	}
	if _, ok := h.gc.absentOwners.Get(objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "owner", UID: "o"}); !ok {
		t.Error("owner not cached as absent")
	}
	// Deleting a dependent drops it from the graph and its owner's dependents.
	h.send(deleteEvent, "Secret", obj("a", "d1", "d1", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	if h.gc.graph.size() != 1 {
		t.Errorf("graph size %d, want only d2", h.gc.graph.size())
	}
	if _, ok := h.gc.graph.get("d1"); ok {
		t.Error("d1 still in the graph")
	}
	h.send(deleteEvent, "Secret", obj("a", "never-seen", "x"), nil)
}

func TestTransitions(t *testing.T) {
	h := newHarness(t)
	owner := obj("a", "owner", "o")
	h.send(addEvent, "ConfigMap", owner, nil)
	h.send(addEvent, "Secret", obj("a", "dep", "d", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)

	orphaning := obj("a", "owner", "o", deleting(metav1.FinalizerOrphanDependents))
	h.send(updateEvent, "ConfigMap", orphaning, owner)
	if got := names(drain(h.gc.attemptToOrphan)); got != "owner" {
		t.Errorf("attemptToOrphan %q", got)
	}
	// The same state again is no new transition.
	h.send(updateEvent, "ConfigMap", orphaning, orphaning)
	if h.gc.attemptToOrphan.Len() != 0 {
		t.Error("queued twice")
	}
	n, _ := h.gc.graph.get("o")
	if !n.beingDeleted || n.deletingDependents {
		t.Errorf("state %+v", n)
	}

	h2 := newHarness(t)
	h2.send(addEvent, "ConfigMap", owner, nil)
	h2.send(addEvent, "Secret", obj("a", "dep", "d", withOwners(ownerRef("ConfigMap", "owner", "o"))), nil)
	h2.send(updateEvent, "ConfigMap", obj("a", "owner", "o", deleting(metav1.FinalizerDeleteDependents)), owner)
	if got := h2.deleteQueue(); got != "dep,owner" {
		t.Errorf("attemptToDelete %q, want dep,owner", got)
	}
	n, _ = h2.gc.graph.get("o")
	if !n.deletingDependents {
		t.Error("not deletingDependents")
	}
	// An add that is already deleting (create and delete folded) is a transition too.
	h3 := newHarness(t)
	h3.send(addEvent, "ConfigMap", obj("a", "owner", "o", deleting(metav1.FinalizerOrphanDependents)), nil)
	if got := names(drain(h3.gc.attemptToOrphan)); got != "owner" {
		t.Errorf("attemptToOrphan %q", got)
	}
}

func TestUnblockedOwnerQueued(t *testing.T) {
	h := newHarness(t)
	h.send(addEvent, "ConfigMap", obj("a", "owner", "o", deleting(metav1.FinalizerDeleteDependents)), nil)
	h.deleteQueue()
	blocking := ownerRef("ConfigMap", "owner", "o")
	blocking.BlockOwnerDeletion = ptr.To(true)
	dep := obj("a", "dep", "d", withOwners(blocking))
	h.send(addEvent, "Secret", dep, nil)
	n, _ := h.gc.graph.get("o")
	if b, _ := h.gc.graph.blockingDependents(n); len(b) != 1 {
		t.Fatalf("blocking dependents %v", b)
	}
	h.deleteQueue()
	nonBlocking := blocking
	nonBlocking.BlockOwnerDeletion = ptr.To(false)
	h.send(updateEvent, "Secret", obj("a", "dep", "d", withOwners(nonBlocking)), dep)
	if got := h.deleteQueue(); got != "owner" {
		t.Errorf("attemptToDelete %q, want owner", got)
	}
	if b, _ := h.gc.graph.blockingDependents(n); len(b) != 0 {
		t.Errorf("blocking dependents %v", b)
	}
	// The dependent's deletion also lets the waiting owner go on.
	h.send(deleteEvent, "Secret", obj("a", "dep", "d", withOwners(nonBlocking)), nil)
	if got := h.deleteQueue(); got != "owner" {
		t.Errorf("attemptToDelete %q, want owner", got)
	}
	// Removing a blocking reference queues the owner as well.
	h.send(addEvent, "Secret", obj("a", "dep2", "d2", withOwners(blocking)), nil)
	h.deleteQueue()
	h.send(updateEvent, "Secret", obj("a", "dep2", "d2"), obj("a", "dep2", "d2", withOwners(blocking)))
	if got := h.deleteQueue(); got != "owner" {
		t.Errorf("attemptToDelete %q, want owner", got)
	}
	if len(n.dependents) != 0 {
		t.Errorf("dependents %v", n.dependents)
	}
}

func TestVirtualDelete(t *testing.T) {
	// Dependents name one uid two ways; the first identity checked is absent.
	h := newHarness(t)
	h.send(addEvent, "Secret", obj("a", "d1", "d1", withOwners(ownerRef("ConfigMap", "m", "u"))), nil)
	h.send(addEvent, "Secret", obj("a", "d2", "d2", withOwners(ownerRef("ConfigMap", "z", "u"))), nil)
	h.deleteQueue()
	first, _ := h.gc.graph.get("u")
	h.gc.processEvent(logr.Discard(), &event{typ: deleteEvent, virtual: true, apiVersion: "v1", kind: "ConfigMap", obj: obj("a", first.identity.Name, "u")})
	replacement, ok := h.gc.graph.get("u")
	if !ok || replacement == first || !replacement.virtual {
		t.Fatalf("replacement %+v", replacement)
	}
	other := map[string]string{"m": "z", "z": "m"}[first.identity.Name]
	if replacement.identity.Name != other {
		t.Errorf("replacement identity %v, want name %s", replacement.identity, other)
	}
	matching := map[string]string{"m": "d1", "z": "d2"}[first.identity.Name]
	if got := h.deleteQueue(); got != matching {
		t.Errorf("attemptToDelete %q, want %s", got, matching)
	}
	// The other identity is absent as well: its dependent is queued; the node stays for the
	// dependents naming the first identity until they are gone.
	h.gc.processEvent(logr.Discard(), &event{typ: deleteEvent, virtual: true, apiVersion: "v1", kind: "ConfigMap", obj: obj("a", other, "u")})
	// (The rate-limited replacement may show up in the queue too.)
	var deps []string
	for _, r := range drain(h.gc.attemptToDelete) {
		if r.Kind == "Secret" {
			deps = append(deps, r.Name)
		}
	}
	if want := map[string]string{"d1": "d2", "d2": "d1"}[matching]; strings.Join(deps, ",") != want {
		t.Errorf("dependents queued %v after the second virtual delete, want %s", deps, want)
	}
	h.send(deleteEvent, "Secret", obj("a", "d1", "d1", withOwners(ownerRef("ConfigMap", "m", "u"))), nil)
	h.send(deleteEvent, "Secret", obj("a", "d2", "d2", withOwners(ownerRef("ConfigMap", "z", "u"))), nil)
	n, _ := h.gc.graph.get("u")
	h.gc.processEvent(logr.Discard(), &event{typ: deleteEvent, virtual: true, apiVersion: "v1", kind: "ConfigMap", obj: obj("a", n.identity.Name, "u")})
	if _, ok := h.gc.graph.get("u"); ok {
		t.Error("virtual owner without dependents still in the graph")
	}

	// A virtual delete with other coordinates than an observed node leaves it.
	h2 := newHarness(t)
	h2.send(addEvent, "ConfigMap", obj("a", "real", "u"), nil)
	h2.send(addEvent, "Secret", obj("a", "d", "d", withOwners(ownerRef("ConfigMap", "wrong", "u"))), nil)
	h2.deleteQueue()
	h2.gc.processEvent(logr.Discard(), &event{typ: deleteEvent, virtual: true, apiVersion: "v1", kind: "ConfigMap", obj: obj("a", "wrong", "u")})
	if n, ok := h2.gc.graph.get("u"); !ok || n.virtual {
		t.Error("observed node removed by a virtual delete of other coordinates")
	}
	if got := h2.deleteQueue(); got != "d" {
		t.Errorf("attemptToDelete %q, want d", got)
	}
}
