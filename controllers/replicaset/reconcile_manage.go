package replicaset

import (
	"context"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Event reasons, as upstream's pod control.
const (
	SuccessfulCreateReason = "SuccessfulCreate"
	FailedCreateReason     = "FailedCreate"
	SuccessfulDeleteReason = "SuccessfulDelete"
	FailedDeleteReason     = "FailedDelete"
)

// slowStartInitialBatch is the first batch of pod creations; batches double while they succeed.
const slowStartInitialBatch = 1

// manageReplicas creates or deletes pods so that active (the claimed active pods) reaches
// the owner's replica count, at most r.burst at a time.
func (r *Reconciler) manageReplicas(ctx context.Context, owner client.Object, rs *appsv1.ReplicaSet, active []*corev1.Pod) error {
	logger := log.FromContext(ctx)
	key := requestFor(rs).String()
	want := int(ptr.Deref(rs.Spec.Replicas, 1))
	diff := len(active) - want
	switch {
	case diff < 0:
		n := min(-diff, r.burst)
		// Expect the creations before making them: the cache may see a pod before the
		// create call returns.
		r.exp.expectCreations(key, n)
		logger.V(2).Info("Too few replicas", "need", want, "creating", n)
		ref := metav1.NewControllerRef(owner, r.kind.GVK)
		created, err := slowStartBatch(n, slowStartInitialBatch, func() error {
			err := r.createPod(ctx, owner, &rs.Spec.Template, ref)
			if err != nil && apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				return nil // the namespace is going: its pods will not be needed
			}
			return err
		})
		if skipped := n - created; skipped > 0 {
			logger.V(2).Info("Slow-start failure. Skipping creation of pods, decrementing expectations", "podsSkipped", skipped)
			for range skipped {
				r.exp.creationObserved(key)
			}
		}
		return err
	case diff > 0:
		n := min(diff, r.burst)
		logger.V(2).Info("Too many replicas", "need", want, "deleting", n)
		related, err := r.relatedPods(ctx, rs)
		if err != nil {
			logger.Error(err, "Listing the pods of sibling owners; deleting without ranking by node")
		}
		doomed := podsToDelete(active, related, n, r.clock.Now())
		keys := make([]string, len(doomed))
		for i, p := range doomed {
			keys[i] = podKey(p)
		}
		r.exp.expectDeletions(key, keys)
		errs := make([]error, len(doomed))
		var wg sync.WaitGroup
		for i, pod := range doomed {
			wg.Go(func() {
				if err := r.deletePod(ctx, owner, pod); err != nil {
					// Never to be seen going: stop waiting for it.
					r.exp.deletionObserved(key, podKey(pod))
					if !apierrors.IsNotFound(err) {
						logger.V(2).Info("Failed to delete pod, decremented expectations", "pod", podKey(pod))
						errs[i] = err
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// slowStartBatch calls fn count times, in parallel batches of initial, 2*initial, ... calls,
// stopping after a batch with an error. It returns the number of successful calls and the
// first error, so that a failing create (quota) is not hammered count times.
func slowStartBatch(count, initial int, fn func() error) (int, error) {
	remaining, successes := count, 0
	for batch := min(remaining, initial); batch > 0; batch = min(2*batch, remaining) {
		errs := make(chan error, batch)
		var wg sync.WaitGroup
		for range batch {
			wg.Go(func() {
				if err := fn(); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		successes += batch - len(errs)
		if len(errs) > 0 {
			return successes, <-errs
		}
		remaining -= batch
	}
	return successes, nil
}

// PodFromTemplate builds a pod of template controlled through ref, named "<owner>-<random>".
func PodFromTemplate(template *corev1.PodTemplateSpec, ownerName string, ref *metav1.OwnerReference) *corev1.Pod {
	prefix := ownerName + "-"
	if len(apivalidation.NameIsDNSSubdomain(prefix, true)) != 0 {
		prefix = ownerName
	}
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName: prefix,
			Labels:       map[string]string{},
			Annotations:  map[string]string{},
			Finalizers:   append([]string{}, template.Finalizers...),
		},
		Spec: *template.Spec.DeepCopy(),
	}
	for k, v := range template.Labels {
		pod.Labels[k] = v
	}
	for k, v := range template.Annotations {
		pod.Annotations[k] = v
	}
	if ref != nil {
		pod.OwnerReferences = []metav1.OwnerReference{*ref}
	}
	return pod
}

func (r *Reconciler) createPod(ctx context.Context, owner client.Object, template *corev1.PodTemplateSpec, ref *metav1.OwnerReference) error {
	pod := PodFromTemplate(template, owner.GetName(), ref)
	if len(pod.Labels) == 0 {
		return errors.New("unable to create pods, no labels")
	}
	pod.Namespace = owner.GetNamespace()
	if err := r.client.Create(ctx, pod); err != nil {
		if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			r.recorder.Eventf(owner, corev1.EventTypeWarning, FailedCreateReason, "Error creating: %v", err)
		}
		return err
	}
	log.FromContext(ctx).V(4).Info("Controller created pod", "controller", owner.GetName(), "pod", client.ObjectKeyFromObject(pod))
	r.recorder.Eventf(owner, corev1.EventTypeNormal, SuccessfulCreateReason, "Created pod: %v", pod.Name)
	return nil
}

func (r *Reconciler) deletePod(ctx context.Context, owner client.Object, pod *corev1.Pod) error {
	log.FromContext(ctx).V(2).Info("Deleting pod", "controller", owner.GetName(), "pod", client.ObjectKeyFromObject(pod))
	target := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name}}
	if err := r.client.Delete(ctx, target); err != nil {
		if apierrors.IsNotFound(err) {
			return err
		}
		r.recorder.Eventf(owner, corev1.EventTypeWarning, FailedDeleteReason, "Error deleting: %v", err)
		return fmt.Errorf("unable to delete pods: %w", err)
	}
	r.recorder.Eventf(owner, corev1.EventTypeNormal, SuccessfulDeleteReason, "Deleted pod: %v", pod.Name)
	return nil
}

// relatedPods lists the pods selected by the owners that share rs's controller (the
// ReplicaSets of one Deployment), rs included, each pod once.
func (r *Reconciler) relatedPods(ctx context.Context, rs *appsv1.ReplicaSet) ([]*corev1.Pod, error) {
	ref := metav1.GetControllerOfNoCopy(rs)
	if ref == nil {
		return nil, nil
	}
	siblings, err := r.listOwners(ctx, client.InNamespace(rs.Namespace), client.MatchingFields{index.ControllerUID: string(ref.UID)})
	if err != nil {
		return nil, err
	}
	seen := map[types.UID]bool{}
	var out []*corev1.Pod
	for _, o := range siblings {
		sel, err := metav1.LabelSelectorAsSelector(r.kind.ToReplicaSet(o).Spec.Selector)
		if err != nil {
			continue
		}
		var pods corev1.PodList
		if err := r.client.List(ctx, &pods, client.InNamespace(rs.Namespace), client.MatchingLabelsSelector{Selector: sel}, client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		for i := range pods.Items {
			if p := &pods.Items[i]; !seen[p.UID] {
				seen[p.UID] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}
