package deployment

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// replicaSetsAndSyncRevision splits rsList into the new ReplicaSet (created when create is
// set and there is none) and the old ones, and brings the revisions up to date.
func (s *syncRun) replicaSetsAndSyncRevision(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet, create bool) (*appsv1.ReplicaSet, []*appsv1.ReplicaSet, error) {
	old := findOldReplicaSets(d, rsList)
	newRS, err := s.newReplicaSet(ctx, d, rsList, old, create)
	if err != nil {
		return nil, nil, err
	}
	return newRS, old, nil
}

// newReplicaSet returns the ReplicaSet of d's current template, its revision one above the
// old ones' (updating its annotations and minReadySeconds, and d's revision and Progressing
// condition), or creates it when create is set: named "<deployment>-<hash>", its selector and
// template labelled with pod-template-hash, sized as the strategy allows.
func (s *syncRun) newReplicaSet(ctx context.Context, d *appsv1.Deployment, rsList, old []*appsv1.ReplicaSet, create bool) (*appsv1.ReplicaSet, error) {
	logger := log.FromContext(ctx)
	existing := findNewReplicaSet(d, rsList)
	newRevision := formatRevision(maxRevision(old) + 1)

	if existing != nil {
		rs := existing.DeepCopy()
		annotationsChanged := setNewReplicaSetAnnotations(ctx, d, rs, newRevision, true, maxRevHistoryLengthInChars)
		if annotationsChanged || rs.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
			rs.Spec.MinReadySeconds = d.Spec.MinReadySeconds
			if err := s.client.Update(ctx, rs); err != nil {
				return nil, err
			}
			return rs, nil
		}
		needsUpdate := setDeploymentRevision(d, rs.Annotations[RevisionAnnotation])
		if hasProgressDeadline(d) && getCondition(d.Status, appsv1.DeploymentProgressing) == nil {
			msg := fmt.Sprintf("Found new replica set %q", rs.Name)
			setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, FoundNewRSReason, msg, s.clock.Now()))
			needsUpdate = true
		}
		if needsUpdate {
			if err := s.updateStatus(ctx, d); err != nil {
				return nil, err
			}
		}
		return rs, nil
	}
	if !create {
		return nil, nil
	}

	template := *d.Spec.Template.DeepCopy()
	hash := ComputeHash(&template, d.Status.CollisionCount)
	template.Labels = withHashLabel(d.Spec.Template.Labels, hash)
	selector := d.Spec.Selector.DeepCopy()
	selector.MatchLabels = withHashLabel(selector.MatchLabels, hash)
	newRS := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{
			Name:            replicaSetName(d.Name, hash),
			Namespace:       d.Namespace,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, controllerKind)},
			Labels:          template.Labels,
		},
		Spec: appsv1.ReplicaSetSpec{
			Replicas:        ptr.To[int32](0),
			MinReadySeconds: d.Spec.MinReadySeconds,
			Selector:        selector,
			Template:        template,
		},
	}
	size, err := newRSReplicas(d, append(append([]*appsv1.ReplicaSet(nil), old...), newRS), newRS)
	if err != nil {
		return nil, err
	}
	newRS.Spec.Replicas = ptr.To(size)
	setNewReplicaSetAnnotations(ctx, d, newRS, newRevision, false, maxRevHistoryLengthInChars)

	alreadyExists := false
	err = s.client.Create(ctx, newRS)
	switch {
	case apierrors.IsAlreadyExists(err):
		alreadyExists = true
		found := &appsv1.ReplicaSet{}
		if getErr := s.client.Get(ctx, types.NamespacedName{Namespace: d.Namespace, Name: newRS.Name}, found); getErr != nil {
			return nil, getErr
		}
		// Ours, of this template, not yet in the list we were given: use it.
		if ref := metav1.GetControllerOfNoCopy(found); ref != nil && ref.UID == d.UID && equalIgnoreHash(&d.Spec.Template, &found.Spec.Template) {
			newRS, err = found, nil
			break
		}
		// A hash collision: bump collisionCount so the next sync tries another name.
		if d.Status.CollisionCount == nil {
			d.Status.CollisionCount = ptr.To[int32](0)
		}
		before := *d.Status.CollisionCount
		*d.Status.CollisionCount++
		if dErr := s.updateStatus(ctx, d); dErr == nil {
			logger.V(2).Info("Found a hash collision for deployment - bumping collisionCount to resolve it", "oldCollisionCount", before, "newCollisionCount", *d.Status.CollisionCount)
		}
		return nil, err
	case apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		return nil, err
	case err != nil:
		msg := fmt.Sprintf("Failed to create new replica set %q: %v", newRS.Name, err)
		if hasProgressDeadline(d) {
			setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionFalse, FailedRSCreateReason, msg, s.clock.Now()))
			_ = s.updateStatus(ctx, d)
		}
		s.recorder.Eventf(d, corev1.EventTypeWarning, FailedRSCreateReason, "%s", msg)
		return nil, err
	}
	if !alreadyExists && size > 0 {
		s.recorder.Eventf(d, corev1.EventTypeNormal, "ScalingReplicaSet", "Scaled up replica set %s from 0 to %d", newRS.Name, size)
	}
	needsUpdate := setDeploymentRevision(d, newRevision)
	if !alreadyExists && hasProgressDeadline(d) {
		msg := fmt.Sprintf("Created new replica set %q", newRS.Name)
		setCondition(&d.Status, newCondition(appsv1.DeploymentProgressing, corev1.ConditionTrue, NewReplicaSetReason, msg, s.clock.Now()))
		needsUpdate = true
	}
	if needsUpdate {
		err = s.updateStatus(ctx, d)
	}
	return newRS, err
}
