package garbagecollector

import (
	"context"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// classification sorts an object's ownerReferences: solid owners exist and are not waiting
// for their dependents, dangling ones do not exist (or are another object now), waiting ones
// are being deleted in the foreground.
type classification struct {
	solid, dangling, waiting []metav1.OwnerReference
}

func (gc *GarbageCollector) classify(ctx context.Context, n *node, refs []metav1.OwnerReference) (classification, error) {
	var c classification
	for _, ref := range refs {
		dangling, owner, err := gc.isDangling(ctx, ref, n)
		if err != nil {
			return classification{}, err
		}
		switch {
		case dangling:
			c.dangling = append(c.dangling, ref)
		case beingDeleted(owner) && hasFinalizer(owner, metav1.FinalizerDeleteDependents):
			c.waiting = append(c.waiting, ref)
		default:
			c.solid = append(c.solid, ref)
		}
	}
	return c, nil
}

// isDangling reports whether the owner ref names is absent: per the cache of absent owners,
// or read live by name, where a different uid means the owner is gone too. Otherwise it
// returns the owner.
func (gc *GarbageCollector) isDangling(ctx context.Context, ref metav1.OwnerReference, n *node) (bool, *metav1.PartialObjectMetadata, error) {
	logger := log.FromContext(ctx)
	key := refTo(ref, "")
	if _, ok := gc.absentOwners.Get(key); ok {
		logger.V(5).Info("according to the absentOwnerCache, item's owner does not exist", "item", n.identity, "owner", ref)
		return true, nil, nil
	}
	key.Namespace = n.identity.Namespace
	if _, ok := gc.absentOwners.Get(key); ok {
		logger.V(5).Info("according to the absentOwnerCache, item's owner does not exist in namespace", "item", n.identity, "owner", ref)
		return true, nil, nil
	}
	gvr, namespaced, err := gc.resource(ref.APIVersion, ref.Kind)
	if err != nil {
		return false, nil, err
	}
	if !namespaced {
		key.Namespace = ""
	}
	if n.identity.Namespace == "" && namespaced {
		logger.V(2).Info("item is cluster-scoped, but refers to a namespaced owner", "item", n.identity, "owner", ref)
		return false, nil, errNamespacedOwnerOfClusterScoped
	}
	owner, err := gc.metadata.Resource(gvr).Namespace(namespaceFor(namespaced, n.identity.Namespace)).Get(ctx, ref.Name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		gc.absentOwners.Add(key, nil)
		logger.V(5).Info("item's owner is not found", "item", n.identity, "owner", ref)
		return true, nil, nil
	case err != nil:
		return false, nil, err
	}
	if owner.UID != ref.UID {
		logger.V(5).Info("item's owner is not found, UID mismatch", "item", n.identity, "owner", ref)
		gc.absentOwners.Add(key, nil)
		return true, nil, nil
	}
	return false, owner, nil
}

func uidsOf(refs []metav1.OwnerReference) []types.UID {
	out := make([]types.UID, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.UID)
	}
	return out
}
