package namespace

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/metadata"
	"k8s.io/utils/clock"
)

// Deleter deletes everything in a namespace being deleted, then removes its finalizer.
type Deleter struct {
	Namespaces corev1client.NamespaceInterface
	Pods       corev1client.PodsGetter
	// Metadata lists and deletes the content, of any resource.
	Metadata metadata.Interface
	// Discover lists the namespaced resources (preferred versions).
	Discover func() ([]*metav1.APIResourceList, error)
	// Finalizer is the spec.finalizers entry the deleter owns ("kubernetes").
	Finalizer corev1.FinalizerName
	Clock     clock.PassiveClock
}

// ResourcesRemainingError says content was deleted but some is still there; Estimate is how
// many seconds it may take to go.
type ResourcesRemainingError struct {
	Estimate int64
}

func (e *ResourcesRemainingError) Error() string {
	return fmt.Sprintf("some content remains in the namespace, estimate %d seconds before it is removed", e.Estimate)
}

// Delete moves a namespace with a deletionTimestamp to Terminating, deletes its content and,
// once it is all gone, removes the finalizer. It returns *ResourcesRemainingError while
// content is on its way out. A namespace that is gone or not being deleted is left alone.
func (d *Deleter) Delete(ctx context.Context, name string) error {
	ns, err := d.Namespaces.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("getting namespace: %w", err)
	}
	if ns.DeletionTimestamp == nil {
		return nil
	}
	ns, err = d.retryOnConflict(ctx, ns, d.markTerminating)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("marking the namespace terminating: %w", err)
	}
	if ns.DeletionTimestamp.IsZero() || len(ns.Spec.Finalizers) == 0 {
		return nil
	}
	estimate, err := d.deleteAllContent(ctx, ns)
	if err != nil {
		return err
	}
	if estimate > 0 {
		return &ResourcesRemainingError{Estimate: estimate}
	}
	if _, err := d.retryOnConflict(ctx, ns, d.finalize); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("finalizing the namespace: %w", err)
	}
	return nil
}

type updateFunc func(ctx context.Context, ns *corev1.Namespace) (*corev1.Namespace, error)

// retryOnConflict calls fn until it does not conflict, each time with the namespace read
// again; the namespace must keep its UID.
func (d *Deleter) retryOnConflict(ctx context.Context, ns *corev1.Namespace, fn updateFunc) (*corev1.Namespace, error) {
	for {
		result, err := fn(ctx, ns)
		if !apierrors.IsConflict(err) {
			return result, err
		}
		latest, err := d.Namespaces.Get(ctx, ns.Name, metav1.GetOptions{})
		if err != nil {
			return nil, err
		}
		if latest.UID != ns.UID {
			return nil, fmt.Errorf("namespace uid has changed across retries")
		}
		ns = latest
	}
}

func (d *Deleter) markTerminating(ctx context.Context, ns *corev1.Namespace) (*corev1.Namespace, error) {
	if ns.DeletionTimestamp.IsZero() || ns.Status.Phase == corev1.NamespaceTerminating {
		return ns, nil
	}
	ns = ns.DeepCopy()
	ns.Status.Phase = corev1.NamespaceTerminating
	return d.Namespaces.UpdateStatus(ctx, ns, metav1.UpdateOptions{})
}

// finalize removes the deleter's finalizer through namespaces/finalize.
func (d *Deleter) finalize(ctx context.Context, ns *corev1.Namespace) (*corev1.Namespace, error) {
	out := &corev1.Namespace{ObjectMeta: ns.ObjectMeta, Spec: ns.Spec}
	out.Spec.Finalizers = withoutFinalizer(ns.Spec.Finalizers, d.Finalizer)
	result, err := d.Namespaces.Finalize(ctx, out, metav1.UpdateOptions{})
	if apierrors.IsNotFound(err) {
		return result, nil
	}
	return result, err
}

// withoutFinalizer drops token from finalizers, sorted and de-duplicated as upstream leaves
// them.
func withoutFinalizer(finalizers []corev1.FinalizerName, token corev1.FinalizerName) []corev1.FinalizerName {
	out := make([]corev1.FinalizerName, 0, len(finalizers))
	for _, f := range finalizers {
		if f != token {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
