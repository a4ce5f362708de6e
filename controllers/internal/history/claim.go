package history

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Claimer adopts the orphans an owner selects and releases the objects it owns but no longer
// selects, as upstream's ControllerRefManager: the owner's controller then acts only on what
// it claimed.
type Claimer struct {
	// Client patches the claimed objects.
	Client client.Client
	// Live reads the owner afresh (uncached) before the first adoption.
	Live     client.Reader
	Owner    client.Object
	Kind     schema.GroupVersionKind
	Selector labels.Selector

	once     sync.Once
	adoptErr error
}

// Claim reports whether obj belongs to the owner, adopting or releasing it as needed. match,
// when given, narrows the selector (a StatefulSet claims only pods named after it).
func (c *Claimer) Claim(ctx context.Context, obj client.Object, match func(client.Object) bool) (bool, error) {
	matches := c.Selector.Matches(labels.Set(obj.GetLabels())) && (match == nil || match(obj))
	if ref := metav1.GetControllerOfNoCopy(obj); ref != nil {
		if ref.UID != c.Owner.GetUID() {
			return false, nil
		}
		if matches {
			return true, nil
		}
		if c.Owner.GetDeletionTimestamp() != nil {
			return false, nil
		}
		return false, c.release(ctx, obj)
	}
	if c.Owner.GetDeletionTimestamp() != nil || !matches || obj.GetDeletionTimestamp() != nil ||
		obj.GetNamespace() != c.Owner.GetNamespace() {
		return false, nil
	}
	if err := c.canAdopt(ctx); err != nil {
		return false, fmt.Errorf("can't adopt %s %s/%s (%s): %w", c.kindOf(obj), obj.GetNamespace(), obj.GetName(), obj.GetUID(), err)
	}
	if err := c.Client.Patch(ctx, obj, client.RawPatch(types.StrategicMergePatchType, AdoptPatch(c.Owner, c.Kind, obj.GetUID()))); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("adopting %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return true, nil
}

func (c *Claimer) kindOf(obj client.Object) string {
	if gvk := obj.GetObjectKind().GroupVersionKind(); gvk.Kind != "" {
		return gvk.Kind
	}
	return fmt.Sprintf("%T", obj)
}

func (c *Claimer) release(ctx context.Context, obj client.Object) error {
	err := c.Client.Patch(ctx, obj, client.RawPatch(types.StrategicMergePatchType, ReleasePatch(c.Owner.GetUID(), obj.GetUID())))
	if err == nil || apierrors.IsNotFound(err) || apierrors.IsInvalid(err) {
		// Invalid: the object no longer has this owner, or is not the object read (another UID).
		return nil
	}
	return fmt.Errorf("releasing %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
}

// canAdopt reads the owner afresh once: a deleted or replaced owner must not adopt.
func (c *Claimer) canAdopt(ctx context.Context) error {
	c.once.Do(func() {
		fresh := c.Owner.DeepCopyObject().(client.Object)
		if err := c.Live.Get(ctx, client.ObjectKeyFromObject(c.Owner), fresh); err != nil {
			c.adoptErr = err
			return
		}
		switch {
		case fresh.GetUID() != c.Owner.GetUID():
			c.adoptErr = fmt.Errorf("original %s %s/%s is gone: got uid %s, wanted %s",
				c.Kind.Kind, c.Owner.GetNamespace(), c.Owner.GetName(), fresh.GetUID(), c.Owner.GetUID())
		case fresh.GetDeletionTimestamp() != nil:
			c.adoptErr = fmt.Errorf("%s/%s has just been deleted at %v",
				fresh.GetNamespace(), fresh.GetName(), fresh.GetDeletionTimestamp())
		}
	})
	return c.adoptErr
}

type patchMeta struct {
	Metadata struct {
		OwnerReferences []map[string]any `json:"ownerReferences"`
		UID             types.UID        `json:"uid"`
	} `json:"metadata"`
}

// AdoptPatch is the strategic merge patch that makes owner the controller of the object uid.
func AdoptPatch(owner metav1.Object, kind schema.GroupVersionKind, uid types.UID) []byte {
	var p patchMeta
	p.Metadata.UID = uid
	p.Metadata.OwnerReferences = []map[string]any{{
		"apiVersion":         kind.GroupVersion().String(),
		"kind":               kind.Kind,
		"name":               owner.GetName(),
		"uid":                owner.GetUID(),
		"controller":         true,
		"blockOwnerDeletion": true,
	}}
	b, _ := json.Marshal(p)
	return b
}

// ReleasePatch is the strategic merge patch that drops ownerUID from the object uid's owners.
func ReleasePatch(ownerUID, uid types.UID) []byte {
	var p patchMeta
	p.Metadata.UID = uid
	p.Metadata.OwnerReferences = []map[string]any{{"$patch": "delete", "uid": ownerUID}}
	b, _ := json.Marshal(p)
	return b
}
