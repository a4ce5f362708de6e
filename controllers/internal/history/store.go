package history

import (
	"bytes"
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Store lists revisions from the cache and writes them through the API.
type Store struct {
	// Client reads from the manager's cache and writes to the API.
	Client client.Client
	// Live reads uncached, where a write has to be checked against the stored object.
	Live client.Reader
}

// List returns the revisions in parent's namespace that selector matches and that parent
// controls or nobody does (orphans to adopt).
func (s Store) List(ctx context.Context, parent metav1.Object, selector labels.Selector) ([]*appsv1.ControllerRevision, error) {
	var list appsv1.ControllerRevisionList
	if err := s.Client.List(ctx, &list, client.InNamespace(parent.GetNamespace()),
		client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, fmt.Errorf("listing controller revisions: %w", err)
	}
	var owned []*appsv1.ControllerRevision
	for i := range list.Items {
		r := &list.Items[i]
		if ref := metav1.GetControllerOfNoCopy(r); ref == nil || ref.UID == parent.GetUID() {
			owned = append(owned, r)
		}
	}
	return owned, nil
}

// Create stores revision under the name its hash gives. When that name is taken by a revision
// with other data (a hash collision) it bumps *collisionCount and tries the next name; when it
// is taken by the same data it returns the stored one.
func (s Store) Create(ctx context.Context, parent metav1.Object, revision *appsv1.ControllerRevision, collisionCount *int32) (*appsv1.ControllerRevision, error) {
	if collisionCount == nil {
		return nil, fmt.Errorf("collisionCount should not be nil")
	}
	for {
		clone := revision.DeepCopy()
		clone.Name = Name(parent.GetName(), HashData(revision.Data.Raw, collisionCount))
		clone.Namespace = parent.GetNamespace()
		err := s.Client.Create(ctx, clone)
		if err == nil {
			return clone, nil
		}
		if !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("creating controller revision %s: %w", clone.Name, err)
		}
		var existing appsv1.ControllerRevision
		if err := s.Live.Get(ctx, client.ObjectKeyFromObject(clone), &existing); err != nil {
			return nil, fmt.Errorf("reading controller revision %s: %w", clone.Name, err)
		}
		if bytes.Equal(existing.Data.Raw, clone.Data.Raw) {
			return &existing, nil
		}
		*collisionCount++
	}
}

// SetRevision gives revision the number n, retrying on conflicts with fresh reads.
func (s Store) SetRevision(ctx context.Context, revision *appsv1.ControllerRevision, n int64) (*appsv1.ControllerRevision, error) {
	clone := revision.DeepCopy()
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		if clone.Revision == n {
			return nil
		}
		clone.Revision = n
		err := s.Client.Update(ctx, clone)
		if apierrors.IsConflict(err) {
			fresh := &appsv1.ControllerRevision{}
			if getErr := s.Live.Get(ctx, client.ObjectKeyFromObject(clone), fresh); getErr == nil {
				clone = fresh
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("updating controller revision %s: %w", revision.Name, err)
	}
	return clone, nil
}

// Delete removes revision; one already gone is fine.
func (s Store) Delete(ctx context.Context, revision *appsv1.ControllerRevision) error {
	if err := s.Client.Delete(ctx, revision); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting controller revision %s: %w", revision.Name, err)
	}
	return nil
}
