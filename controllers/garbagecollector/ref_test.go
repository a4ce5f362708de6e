package garbagecollector

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func ownerRef(kind, name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: "v1", Kind: kind, Name: name, UID: uid}
}

func TestReferencesDiffs(t *testing.T) {
	a, b, c := ownerRef("ConfigMap", "a", "1"), ownerRef("ConfigMap", "b", "2"), ownerRef("ConfigMap", "c", "3")
	bBlocking := b
	bBlocking.BlockOwnerDeletion = ptr.To(true)
	added, removed, changed := referencesDiffs([]metav1.OwnerReference{a, b}, []metav1.OwnerReference{bBlocking, c})
	if diff := cmp.Diff([]metav1.OwnerReference{c}, added); diff != "" {
		t.Errorf("added (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]metav1.OwnerReference{a}, removed); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	if len(changed) != 1 || changed[0].old != b || !blocks(changed[0].new) {
		t.Errorf("changed %+v", changed)
	}
	added, removed, changed = referencesDiffs([]metav1.OwnerReference{a}, []metav1.OwnerReference{a})
	if len(added)+len(removed)+len(changed) != 0 {
		t.Errorf("no change gave %v %v %v", added, removed, changed)
	}
}

func dep(ns, name string, owners ...metav1.OwnerReference) *node {
	return &node{identity: objectRef{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)}, owners: owners}
}

func TestPartitionDependents(t *testing.T) {
	owner := objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "o", UID: "u"}
	good := dep("a", "good", ownerRef("ConfigMap", "o", "u"))
	otherName := dep("a", "other-name", ownerRef("ConfigMap", "x", "u"))
	otherNS := dep("b", "other-ns", ownerRef("ConfigMap", "o", "u"))
	both := dep("a", "both", ownerRef("ConfigMap", "o", "u"), ownerRef("Secret", "o", "u"))
	matching, nonmatching := partitionDependents([]*node{good, otherName, otherNS, both}, owner)
	if diff := cmp.Diff([]*node{good, both}, matching, cmp.AllowUnexported(node{}, objectRef{})); diff != "" {
		t.Errorf("matching (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*node{otherName, otherNS, both}, nonmatching, cmp.AllowUnexported(node{}, objectRef{})); diff != "" {
		t.Errorf("nonmatching (-want +got):\n%s", diff)
	}
	// A cluster-scoped owner matches dependents of any namespace.
	clusterOwner := owner
	clusterOwner.Namespace = ""
	matching, nonmatching = partitionDependents([]*node{otherNS}, clusterOwner)
	if len(matching) != 1 || len(nonmatching) != 0 {
		t.Errorf("cluster-scoped owner: matching %d nonmatching %d", len(matching), len(nonmatching))
	}
}

func TestAlternateOwnerIdentity(t *testing.T) {
	absent := objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "m", UID: "u"}
	deps := []*node{
		dep("a", "1", ownerRef("ConfigMap", "m", "u")), // the absent identity itself
		dep("a", "2", ownerRef("ConfigMap", "z", "u")),
		dep("a", "3", ownerRef("ConfigMap", "b", "u")),
		dep("a", "4", ownerRef("ConfigMap", "b", "u")), // seen
		dep("a", "5", ownerRef("ConfigMap", "q", "other")),
	}
	got := alternateOwnerIdentity(deps, absent)
	want := objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "z", UID: "u"}
	if got == nil || *got != want {
		t.Errorf("alternate %v, want the first after m: %v", got, want)
	}
	// Nothing after: wrap around to the first.
	got = alternateOwnerIdentity(deps[2:], objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "a", Name: "zz", UID: "u"})
	if got == nil || got.Name != "b" {
		t.Errorf("alternate %v, want b", got)
	}
	if got := alternateOwnerIdentity(deps[:1], absent); got != nil {
		t.Errorf("alternate %v, want none", got)
	}
	// Known cluster-scoped kind: the namespace of the dependent is dropped.
	clusterAbsent := objectRef{APIVersion: "v1", Kind: "Node", Name: "n1", UID: "u"}
	got = alternateOwnerIdentity([]*node{dep("a", "6", ownerRef("Node", "n2", "u"))}, clusterAbsent)
	if got == nil || got.Namespace != "" || got.Name != "n2" {
		t.Errorf("alternate %v, want cluster-scoped n2", got)
	}
}

func TestObjectRefString(t *testing.T) {
	r := objectRef{APIVersion: "v1", Kind: "ConfigMap", Namespace: "ns", Name: "n", UID: "u"}
	if got, want := r.String(), "[v1/ConfigMap, namespace: ns, name: n, uid: u]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !r.less(objectRef{APIVersion: "v1", Kind: "Secret"}) || r.less(r) {
		t.Error("less")
	}
}
