package garbagecollector

import (
	"cmp"
	"fmt"
	"reflect"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// objectRef identifies an object of the graph: the coordinates an ownerReference gives
// (apiVersion, kind, name, uid) and the namespace, empty for cluster-scoped objects.
type objectRef struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	UID        types.UID
}

// String is upstream's rendering, which its events and logs show.
func (r objectRef) String() string {
	return fmt.Sprintf("[%s/%s, namespace: %s, name: %s, uid: %s]", r.APIVersion, r.Kind, r.Namespace, r.Name, r.UID)
}

// refTo is the identity an ownerReference gives its owner, seen from namespace.
func refTo(owner metav1.OwnerReference, namespace string) objectRef {
	return objectRef{APIVersion: owner.APIVersion, Kind: owner.Kind, Namespace: namespace, Name: owner.Name, UID: owner.UID}
}

// matches reports whether owner has r's coordinates (uid, name, kind, apiVersion).
func (r objectRef) matches(owner metav1.OwnerReference) bool {
	return r.UID == owner.UID && r.Name == owner.Name && r.Kind == owner.Kind && r.APIVersion == owner.APIVersion
}

// less orders references kind, apiVersion, namespace, name, uid.
func (r objectRef) less(o objectRef) bool {
	return cmp.Or(
		strings.Compare(r.Kind, o.Kind), strings.Compare(r.APIVersion, o.APIVersion),
		strings.Compare(r.Namespace, o.Namespace), strings.Compare(r.Name, o.Name),
		strings.Compare(string(r.UID), string(o.UID)),
	) < 0
}

// blocks reports whether an ownerReference has blockOwnerDeletion true.
func blocks(owner metav1.OwnerReference) bool {
	return owner.BlockOwnerDeletion != nil && *owner.BlockOwnerDeletion
}

type refPair struct{ old, new metav1.OwnerReference }

// referencesDiffs compares two ownerReference lists by uid.
func referencesDiffs(old, new []metav1.OwnerReference) (added, removed []metav1.OwnerReference, changed []refPair) {
	oldByUID := make(map[types.UID]metav1.OwnerReference, len(old))
	for _, r := range old {
		oldByUID[r.UID] = r
	}
	for _, r := range new {
		o, ok := oldByUID[r.UID]
		if !ok {
			added = append(added, r)
			continue
		}
		if !reflect.DeepEqual(o, r) {
			changed = append(changed, refPair{old: o, new: r})
		}
		delete(oldByUID, r.UID)
	}
	for _, r := range old {
		if _, ok := oldByUID[r.UID]; ok {
			removed = append(removed, r)
		}
	}
	return added, removed, changed
}

// partitionDependents splits dependents into those whose ownerReference to owner.UID has
// owner's coordinates and namespace and those that refer to that uid otherwise (a dependent
// may be in both).
func partitionDependents(dependents []*node, owner objectRef) (matching, nonmatching []*node) {
	namespaced := owner.Namespace != ""
	for _, dep := range dependents {
		match, mismatch := false, false
		if namespaced && owner.Namespace != dep.identity.Namespace {
			mismatch = true
		} else {
			for _, ref := range dep.owners {
				if ref.UID != owner.UID {
					continue
				}
				if owner.matches(ref) {
					match = true
				} else {
					mismatch = true
				}
			}
		}
		if match {
			matching = append(matching, dep)
		}
		if mismatch {
			nonmatching = append(nonmatching, dep)
		}
	}
	return matching, nonmatching
}

// alternateOwnerIdentity finds another identity the dependents give the uid of absent, an
// identity verified not to exist: the first (in less order) after absent, else the first
// of all; nil when there is none.
func alternateOwnerIdentity(dependents []*node, absent objectRef) *objectRef {
	clusterScoped := absent.Namespace == ""
	seen := map[objectRef]bool{absent: true}
	var first, firstAfter *objectRef
	for _, dep := range dependents {
		for _, ref := range dep.owners {
			if ref.UID != absent.UID {
				continue
			}
			if absent.matches(ref) && (clusterScoped || absent.Namespace == dep.identity.Namespace) {
				continue
			}
			alt := refTo(ref, dep.identity.Namespace)
			if clusterScoped && alt.APIVersion == absent.APIVersion && alt.Kind == absent.Kind {
				// That apiVersion and kind are known to be cluster-scoped.
				alt.Namespace = ""
			}
			if seen[alt] {
				continue
			}
			seen[alt] = true
			if first == nil || alt.less(*first) {
				first = &alt
			}
			if absent.less(alt) && (firstAfter == nil || alt.less(*firstAfter)) {
				firstAfter = &alt
			}
		}
	}
	if firstAfter != nil {
		return firstAfter
	}
	return first
}
