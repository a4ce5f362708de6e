package statefulset

import (
	"context"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// createPod creates the pod's claims, then the pod, then points the claims' owners at it as
// the retention policy wants.
func (r *Reconciler) createPod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if err := r.createClaims(ctx, set, pod); err != nil {
		r.podEvent("create", set, pod, err)
		return err
	}
	// The caller's pod stays as it was (not yet created) for the rest of this sync.
	created := pod.DeepCopy()
	err := r.client.Create(ctx, created)
	if apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating pod %s: %w", pod.Name, err)
	}
	if err == nil {
		r.writes.wrote(set, "pods", created.ResourceVersion)
		if err := r.updateClaimsForPolicy(ctx, set, created); err != nil {
			r.podEvent("update", set, pod, err)
			return err
		}
	}
	r.podEvent("create", set, pod, err)
	if err != nil {
		return fmt.Errorf("creating pod %s: %w", pod.Name, err)
	}
	return nil
}

// updatePod gives an existing pod back its identity, storage and claim owners.
func (r *Reconciler) updatePod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	attempted := false
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		consistent := true
		if !identityMatches(set, pod) {
			updateIdentity(set, pod)
			consistent = false
		}
		if !storageMatches(set, pod) {
			updateStorage(set, pod)
			consistent = false
			if err := r.createClaims(ctx, set, pod); err != nil {
				r.podEvent("update", set, pod, err)
				return err
			}
		}
		match, err := r.claimsMatchPolicy(ctx, set, pod)
		if err != nil {
			r.podEvent("update", set, pod, err)
			return err
		}
		if !match {
			if err := r.updateClaimsForPolicy(ctx, set, pod); err != nil {
				r.podEvent("update", set, pod, err)
				return err
			}
			consistent = false
		}
		if consistent {
			return nil
		}
		attempted = true
		err = r.client.Update(ctx, pod)
		if err == nil {
			r.writes.wrote(set, "pods", pod.ResourceVersion)
			return nil
		}
		fresh := &corev1.Pod{}
		if getErr := r.client.Get(ctx, client.ObjectKeyFromObject(pod), fresh); getErr == nil {
			*pod = *fresh
		}
		return err
	})
	if attempted {
		r.podEvent("update", set, pod, err)
	}
	if err != nil {
		return fmt.Errorf("updating pod %s: %w", pod.Name, err)
	}
	return nil
}

// deletePod deletes the pod; one already gone counts as deleted.
func (r *Reconciler) deletePod(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if err := r.client.Delete(ctx, pod); err != nil && !apierrors.IsNotFound(err) {
		r.podEvent("delete", set, pod, err)
		return fmt.Errorf("deleting pod %s: %w", pod.Name, err)
	}
	r.podEvent("delete", set, pod, nil)
	return nil
}

// getClaim reads a claim from the cache; nil when there is none.
func (r *Reconciler) getClaim(ctx context.Context, namespace, name string) (*corev1.PersistentVolumeClaim, error) {
	claim := &corev1.PersistentVolumeClaim{}
	err := r.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, claim)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading claim %s: %w", name, err)
	}
	return claim, nil
}

// claimsMatchPolicy reports whether the pod's claims have the owners the policy wants. Missing
// claims are picked up by a later sync.
func (r *Reconciler) claimsMatchPolicy(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) (bool, error) {
	ordinal := ordinalOf(pod)
	for i := range set.Spec.VolumeClaimTemplates {
		claim, err := r.getClaim(ctx, set.Namespace, claimName(set, &set.Spec.VolumeClaimTemplates[i], ordinal))
		if err != nil {
			return false, err
		}
		if claim != nil && !claimOwnerUpToDate(claim, set, pod) {
			return false, nil
		}
	}
	return true, nil
}

// updateClaimsForPolicy rewrites the owners of the pod's claims as the policy wants.
func (r *Reconciler) updateClaimsForPolicy(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	ordinal := ordinalOf(pod)
	for i := range set.Spec.VolumeClaimTemplates {
		name := claimName(set, &set.Spec.VolumeClaimTemplates[i], ordinal)
		claim, err := r.getClaim(ctx, set.Namespace, name)
		if err != nil {
			return err
		}
		if claim == nil {
			continue // picked up by a later sync
		}
		if hasUnexpectedController(claim, set, pod) {
			r.recorder.Event(set, corev1.EventTypeWarning, "ConflictingController", fmt.Sprintf(
				"PersistentVolumeClaim %s has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim", name))
		}
		if claimOwnerUpToDate(claim, set, pod) {
			continue
		}
		setClaimOwners(claim, set, pod)
		if err := r.client.Update(ctx, claim); err != nil {
			return fmt.Errorf("could not update claim %s for delete policy ownerRefs: %w", name, err)
		}
		r.writes.wrote(set, "persistentvolumeclaims", claim.ResourceVersion)
	}
	return nil
}

// claimIsStale reports whether one of the pod's claims still belongs to an earlier pod of the
// same name that was scaled away: it is about to be deleted, so the pod must wait.
func (r *Reconciler) claimIsStale(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) (bool, error) {
	if retentionPolicy(set).WhenScaled == retain {
		return false, nil
	}
	for _, c := range claimsFor(set, pod) {
		claim, err := r.getClaim(ctx, c.Namespace, c.Name)
		if err != nil {
			return false, err
		}
		if claim != nil && hasStaleOwnerRef(claim, pod, podKind) {
			return true, nil
		}
	}
	return false, nil
}

// createMissingClaims creates the claims a pending pod still lacks.
func (r *Reconciler) createMissingClaims(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	if err := r.createClaims(ctx, set, pod); err != nil {
		return err
	}
	if err := r.updateClaimsForPolicy(ctx, set, pod); err != nil {
		r.podEvent("update", set, pod, err)
		return err
	}
	return nil
}

// createClaims creates the pod's claims that do not exist yet.
func (r *Reconciler) createClaims(ctx context.Context, set *appsv1.StatefulSet, pod *corev1.Pod) error {
	var errs []error
	for _, c := range claimsFor(set, pod) {
		claim, err := r.getClaim(ctx, c.Namespace, c.Name)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("failed to retrieve PVC %s: %w", c.Name, err))
			r.claimEvent("create", set, pod, &c, err)
		case claim == nil:
			err := r.client.Create(ctx, &c)
			if err != nil {
				errs = append(errs, fmt.Errorf("failed to create PVC %s: %w", c.Name, err))
			} else {
				r.writes.wrote(set, "persistentvolumeclaims", c.ResourceVersion)
			}
			if err == nil || !apierrors.IsAlreadyExists(err) {
				r.claimEvent("create", set, pod, &c, err)
			}
		case claim.DeletionTimestamp != nil:
			errs = append(errs, fmt.Errorf("pvc %s is being deleted", c.Name))
		}
	}
	return errors.Join(errs...)
}

func title(verb string) string {
	return strings.ToUpper(verb[:1]) + verb[1:]
}

// podEvent records upstream's event for verb done to a pod of set.
func (r *Reconciler) podEvent(verb string, set *appsv1.StatefulSet, pod *corev1.Pod, err error) {
	if err == nil {
		r.recorder.Event(set, corev1.EventTypeNormal, "Successful"+title(verb),
			fmt.Sprintf("%s Pod %s in StatefulSet %s successful", title(verb), pod.Name, set.Name))
		return
	}
	r.recorder.Event(set, corev1.EventTypeWarning, "Failed"+title(verb),
		fmt.Sprintf("%s Pod %s in StatefulSet %s failed error: %s", title(verb), pod.Name, set.Name, err))
}

// claimEvent records upstream's event for verb done to a claim of a pod of set.
func (r *Reconciler) claimEvent(verb string, set *appsv1.StatefulSet, pod *corev1.Pod, claim *corev1.PersistentVolumeClaim, err error) {
	if err == nil {
		r.recorder.Event(set, corev1.EventTypeNormal, "Successful"+title(verb),
			fmt.Sprintf("%s Claim %s Pod %s in StatefulSet %s success", title(verb), claim.Name, pod.Name, set.Name))
		return
	}
	r.recorder.Event(set, corev1.EventTypeWarning, "Failed"+title(verb),
		fmt.Sprintf("%s Claim %s for Pod %s in StatefulSet %s failed error: %s", title(verb), claim.Name, pod.Name, set.Name, err))
}
