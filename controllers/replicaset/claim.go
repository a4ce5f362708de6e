package replicaset

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// RefManager adopts matching orphans and releases owned objects that stopped matching, for
// one controller object, as upstream's ControllerRefManager does (shared with the Deployment
// controller, which claims ReplicaSets).
type RefManager struct {
	// Client patches the claimed objects.
	Client client.Client
	// Owner is the controller object; OwnerGVK its kind.
	Owner    client.Object
	OwnerGVK schema.GroupVersionKind
	// ObjectKind names the claimed objects' kind in errors ("Pod").
	ObjectKind string
	// CanAdopt is asked once, before the first adoption (see RecheckOwner).
	CanAdopt func(context.Context) error

	once     sync.Once
	adoptErr error
}

// Claim decides whether obj belongs to the owner, given whether it matches the owner's
// selector, adopting or releasing it as needed. Objects gone meanwhile are not claimed.
func (m *RefManager) Claim(ctx context.Context, obj client.Object, matches bool) (bool, error) {
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		if ref.UID != m.Owner.GetUID() {
			return false, nil // someone else's
		}
		if matches {
			return true, nil
		}
		if m.Owner.GetDeletionTimestamp() != nil {
			return false, nil // the owner is going; the garbage collector takes its objects
		}
		if err := m.release(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			return false, err
		}
		return false, nil
	}
	if m.Owner.GetDeletionTimestamp() != nil || !matches || obj.GetDeletionTimestamp() != nil {
		return false, nil
	}
	if m.Owner.GetNamespace() != "" && m.Owner.GetNamespace() != obj.GetNamespace() {
		return false, nil
	}
	if err := m.adopt(ctx, obj); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (m *RefManager) adopt(ctx context.Context, obj client.Object) error {
	m.once.Do(func() {
		if m.CanAdopt != nil {
			m.adoptErr = m.CanAdopt(ctx)
		}
	})
	if m.adoptErr != nil {
		return fmt.Errorf("can't adopt %s %s/%s (%s): %w", m.ObjectKind, obj.GetNamespace(), obj.GetName(), obj.GetUID(), m.adoptErr)
	}
	patch, err := AdoptPatch(m.Owner, m.OwnerGVK, obj.GetUID())
	if err != nil {
		return err
	}
	log.FromContext(ctx).V(2).Info("Adopting", "object", client.ObjectKeyFromObject(obj), "owner", m.Owner.GetName())
	// Patch decodes the answer into its argument, and obj may be the cache's own object.
	return m.Client.Patch(ctx, obj.DeepCopyObject().(client.Object), client.RawPatch(types.StrategicMergePatchType, patch))
}

func (m *RefManager) release(ctx context.Context, obj client.Object) error {
	log.FromContext(ctx).V(2).Info("Patching object to remove its controllerRef", "object", client.ObjectKeyFromObject(obj), "gvk", m.OwnerGVK, "controller", m.Owner.GetName())
	patch, err := ReleasePatch(obj.GetUID(), m.Owner.GetUID())
	if err != nil {
		return err
	}
	err = m.Client.Patch(ctx, obj.DeepCopyObject().(client.Object), client.RawPatch(types.StrategicMergePatchType, patch))
	if apierrors.IsNotFound(err) || apierrors.IsInvalid(err) {
		return nil // gone, or its UID changed: nothing of ours to release
	}
	return err
}

type patchMeta struct {
	Metadata struct {
		OwnerReferences any       `json:"ownerReferences"`
		UID             types.UID `json:"uid"`
	} `json:"metadata"`
}

// AdoptPatch is the strategic merge patch that makes owner the controller of the object with
// UID uid (the UID makes the patch fail on a re-created object of the same name).
func AdoptPatch(owner metav1.Object, gvk schema.GroupVersionKind, uid types.UID) ([]byte, error) {
	var p patchMeta
	p.Metadata.UID = uid
	p.Metadata.OwnerReferences = []metav1.OwnerReference{{
		APIVersion:         gvk.GroupVersion().String(),
		Kind:               gvk.Kind,
		Name:               owner.GetName(),
		UID:                owner.GetUID(),
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}}
	return json.Marshal(p)
}

// ReleasePatch is the strategic merge patch that drops owner's reference from the object with
// UID uid.
func ReleasePatch(uid, owner types.UID) ([]byte, error) {
	var p patchMeta
	p.Metadata.UID = uid
	p.Metadata.OwnerReferences = []map[string]string{{"$patch": "delete", "uid": string(owner)}}
	return json.Marshal(p)
}

// RecheckOwner returns a CanAdopt that reads the owner live (reader uncached, into fresh, an
// empty object of the owner's type): adoption is refused when the owner was deleted or
// replaced since the cached copy was taken.
func RecheckOwner(reader client.Reader, owner client.Object, fresh client.Object, kind string) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := reader.Get(ctx, client.ObjectKeyFromObject(owner), fresh); err != nil {
			return fmt.Errorf("can't recheck DeletionTimestamp: %w", err)
		}
		if fresh.GetUID() != owner.GetUID() {
			return fmt.Errorf("can't recheck DeletionTimestamp: original %s %s/%s is gone: got uid %s, wanted %s",
				kind, owner.GetNamespace(), owner.GetName(), fresh.GetUID(), owner.GetUID())
		}
		if ts := fresh.GetDeletionTimestamp(); ts != nil {
			return fmt.Errorf("%s/%s has just been deleted at %v", fresh.GetNamespace(), fresh.GetName(), ts)
		}
		return nil
	}
}
