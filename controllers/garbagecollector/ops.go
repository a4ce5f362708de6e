package garbagecollector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// restMappingError: the kind of a reference is not (yet) known to the mapper.
type restMappingError struct{ kind, version string }

func (e *restMappingError) Error() string {
	return fmt.Sprintf("unable to get REST mapping for %s/%s.", e.version, e.kind)
}

// errNamespacedOwnerOfClusterScoped: a cluster-scoped object names a namespaced owner, which
// retrying will not fix.
var errNamespacedOwnerOfClusterScoped = errors.New("cluster-scoped objects cannot refer to namespaced owners")

// resource maps an apiVersion and kind to its resource and whether it is namespaced.
func (gc *GarbageCollector) resource(apiVersion, kind string) (schema.GroupVersionResource, bool, error) {
	gvk := schema.FromAPIVersionAndKind(apiVersion, kind)
	m, err := gc.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return schema.GroupVersionResource{}, false, &restMappingError{kind: kind, version: apiVersion}
	}
	return m.Resource, m.Scope.Name() == meta.RESTScopeNameNamespace, nil
}

// namespaceFor is the namespace of a request: none for cluster-scoped resources.
func namespaceFor(namespaced bool, namespace string) string {
	if namespaced {
		return namespace
	}
	return ""
}

// getObject reads an object live.
func (gc *GarbageCollector) getObject(ctx context.Context, ref objectRef) (*metav1.PartialObjectMetadata, error) {
	gvr, namespaced, err := gc.resource(ref.APIVersion, ref.Kind)
	if err != nil {
		return nil, err
	}
	if namespaced && ref.Namespace == "" {
		// Only a cluster-scoped object can have named a namespaced type without namespace.
		return nil, errNamespacedOwnerOfClusterScoped
	}
	return gc.metadata.Resource(gvr).Namespace(namespaceFor(namespaced, ref.Namespace)).Get(ctx, ref.Name, metav1.GetOptions{})
}

// getMetadata reads an object from its informer, else live.
func (gc *GarbageCollector) getMetadata(ctx context.Context, ref objectRef) (*metav1.PartialObjectMetadata, error) {
	gvr, namespaced, err := gc.resource(ref.APIVersion, ref.Kind)
	if err != nil {
		return nil, err
	}
	ns := namespaceFor(namespaced, ref.Namespace)
	if obj, ok := gc.cached(gvr, ns, ref.Name); ok {
		return obj, nil
	}
	return gc.metadata.Resource(gvr).Namespace(ns).Get(ctx, ref.Name, metav1.GetOptions{})
}

// deleteObject deletes ref with its uid (and, when given, resourceVersion) as precondition. A
// conflict caused by a change that left the ownerReferences alone is retried without the
// resourceVersion, so that busy objects can still be collected.
func (gc *GarbageCollector) deleteObject(ctx context.Context, ref objectRef, resourceVersion string, owners []metav1.OwnerReference, policy metav1.DeletionPropagation) error {
	gvr, namespaced, err := gc.resource(ref.APIVersion, ref.Kind)
	if err != nil {
		return err
	}
	uid := ref.UID
	pre := metav1.Preconditions{UID: &uid}
	if resourceVersion != "" {
		pre.ResourceVersion = &resourceVersion
	}
	client := gc.metadata.Resource(gvr).Namespace(namespaceFor(namespaced, ref.Namespace))
	err = client.Delete(ctx, ref.Name, metav1.DeleteOptions{Preconditions: &pre, PropagationPolicy: &policy})
	if !apierrors.IsConflict(err) || resourceVersion == "" {
		return err
	}
	live, liveErr := client.Get(ctx, ref.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(liveErr) {
		return liveErr
	}
	if liveErr == nil && live.UID == ref.UID && live.ResourceVersion != resourceVersion && reflect.DeepEqual(live.OwnerReferences, owners) {
		return gc.deleteObject(ctx, ref, "", nil, policy)
	}
	return err
}

func (gc *GarbageCollector) patchObject(ctx context.Context, ref objectRef, pt types.PatchType, patch []byte) error {
	gvr, namespaced, err := gc.resource(ref.APIVersion, ref.Kind)
	if err != nil {
		return err
	}
	_, err = gc.metadata.Resource(gvr).Namespace(namespaceFor(namespaced, ref.Namespace)).Patch(ctx, ref.Name, pt, patch, metav1.PatchOptions{})
	return err
}

// patch applies a strategic merge patch, or for resources without strategic merge (custom
// resources) the JSON merge patch jmp builds.
func (gc *GarbageCollector) patch(ctx context.Context, ref objectRef, smp []byte, jmp func() ([]byte, error)) error {
	err := gc.patchObject(ctx, ref, types.StrategicMergePatchType, smp)
	if !apierrors.IsUnsupportedMediaType(err) {
		return err
	}
	p, err := jmp()
	if err != nil {
		return err
	}
	return gc.patchObject(ctx, ref, types.MergePatchType, p)
}

// removeOwnerRefs removes the ownerReferences to uids from dependent.
func (gc *GarbageCollector) removeOwnerRefs(ctx context.Context, dependent objectRef, uids ...types.UID) error {
	smp, err := deleteOwnerRefsPatch(dependent.UID, uids)
	if err != nil {
		return err
	}
	return gc.patch(ctx, dependent, smp, func() ([]byte, error) {
		obj, err := gc.getMetadata(ctx, dependent)
		if err != nil {
			return nil, err
		}
		kept := slices.DeleteFunc(slices.Clone(obj.OwnerReferences), func(r metav1.OwnerReference) bool { return slices.Contains(uids, r.UID) })
		return ownerRefsMergePatch(obj.ResourceVersion, kept)
	})
}

// unblockOwnerRefs sets blockOwnerDeletion false on every blocking ownerReference of n.
func (gc *GarbageCollector) unblockOwnerRefs(ctx context.Context, n *node) error {
	owners := gc.graph.owners(n)
	smp, err := unblockOwnerRefsPatch(n.identity.UID, owners)
	if err != nil {
		return err
	}
	return gc.patch(ctx, n.identity, smp, func() ([]byte, error) {
		obj, err := gc.getMetadata(ctx, n.identity)
		if err != nil {
			return nil, err
		}
		refs := make([]metav1.OwnerReference, 0, len(owners))
		for _, r := range owners {
			r.BlockOwnerDeletion = new(false)
			refs = append(refs, r)
		}
		return ownerRefsMergePatch(obj.ResourceVersion, refs)
	})
}

// removeFinalizer removes finalizer from n's object, retrying conflicts.
func (gc *GarbageCollector) removeFinalizer(ctx context.Context, n *node, finalizer string) error {
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		obj, err := gc.getObject(ctx, n.identity)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cannot finalize owner %s, because cannot get it: %w. The garbage collector will retry later", n.identity, err)
		}
		if !slices.Contains(obj.Finalizers, finalizer) {
			log.FromContext(ctx).V(5).Info("finalizer already removed from object", "finalizer", finalizer, "object", n.identity)
			return nil
		}
		kept := slices.DeleteFunc(slices.Clone(obj.Finalizers), func(f string) bool { return f == finalizer })
		patch, err := finalizersMergePatch(obj.ResourceVersion, kept)
		if err != nil {
			return err
		}
		return gc.patchObject(ctx, n.identity, types.MergePatchType, patch)
	})
	if apierrors.IsConflict(err) {
		return fmt.Errorf("updateMaxRetries(%d) has reached. The garbage collector will retry later for owner %v", retry.DefaultBackoff.Steps, n.identity)
	}
	return err
}

// deleteOwnerRefsPatch is the strategic merge patch that deletes the ownerReferences to
// owners, with the dependent's uid as precondition.
func deleteOwnerRefsPatch(dependent types.UID, owners []types.UID) ([]byte, error) {
	refs := make([]map[string]string, 0, len(owners))
	for _, uid := range owners {
		refs = append(refs, map[string]string{"$patch": "delete", "uid": string(uid)})
	}
	return json.Marshal(map[string]any{"metadata": map[string]any{"uid": dependent, "ownerReferences": refs}})
}

// unblockOwnerRefsPatch is the strategic merge patch that sets blockOwnerDeletion false on
// the blocking references among owners.
func unblockOwnerRefsPatch(uid types.UID, owners []metav1.OwnerReference) ([]byte, error) {
	var refs []metav1.OwnerReference
	for _, r := range owners {
		if blocks(r) {
			r.BlockOwnerDeletion = new(false)
			refs = append(refs, r)
		}
	}
	meta := map[string]any{"uid": uid}
	if len(refs) > 0 {
		meta["ownerReferences"] = refs
	}
	return json.Marshal(map[string]any{"metadata": meta})
}

// ownerRefsMergePatch replaces the ownerReferences (none removes the field) at resourceVersion.
func ownerRefsMergePatch(resourceVersion string, refs []metav1.OwnerReference) ([]byte, error) {
	var v any = refs
	if len(refs) == 0 {
		v = nil
	}
	return json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": resourceVersion, "ownerReferences": v}})
}

// finalizersMergePatch replaces the finalizers (none removes the field) at resourceVersion.
func finalizersMergePatch(resourceVersion string, finalizers []string) ([]byte, error) {
	var v any = finalizers
	if len(finalizers) == 0 {
		v = nil
	}
	return json.Marshal(map[string]any{"metadata": map[string]any{"resourceVersion": resourceVersion, "finalizers": v}})
}
