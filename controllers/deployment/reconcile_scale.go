package deployment

import (
	"context"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/integer"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// syncStatusOnly only writes the status (a Deployment being deleted).
func (s *syncRun) syncStatusOnly(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	return s.syncDeploymentStatus(ctx, append(old, newRS), newRS, d)
}

// sync scales without rolling out (a paused Deployment, or one whose replica count changed),
// cleans up old ReplicaSets of a paused one, and writes the status.
func (s *syncRun) sync(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	if err := s.scale(ctx, d, newRS, old); err != nil {
		return err
	}
	if d.Spec.Paused && rollbackTo(d) == nil {
		if err := s.cleanupDeployment(ctx, old, d); err != nil {
			return err
		}
	}
	return s.syncDeploymentStatus(ctx, append(old, newRS), newRS, d)
}

// isScalingEvent: some active ReplicaSet was sized for another spec.replicas than d's.
func (s *syncRun) isScalingEvent(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) (bool, error) {
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, false)
	if err != nil {
		return false, err
	}
	for _, rs := range activeReplicaSets(append(old, newRS)) {
		if desired, ok := int32Annotation(rs, DesiredReplicasAnnotation); ok && desired != replicas(d) {
			return true, nil
		}
	}
	return false, nil
}

// scale sizes the ReplicaSets for spec.replicas: a single active one takes it all; a
// saturated new one lets the old ones go to 0; during a rolling update the difference is
// spread over the active ReplicaSets in proportion to their sizes.
func (s *syncRun) scale(ctx context.Context, d *appsv1.Deployment, newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet) error {
	if rs := findActiveOrLatest(newRS, old); rs != nil {
		if rsReplicas(rs) == replicas(d) {
			return nil
		}
		_, _, err := s.scaleReplicaSet(ctx, rs, replicas(d), d, false)
		return err
	}
	if isSaturated(d, newRS) {
		for _, rs := range activeReplicaSets(old) {
			if _, _, err := s.scaleReplicaSet(ctx, rs, 0, d, false); err != nil {
				return err
			}
		}
		return nil
	}
	if !isRollingUpdate(d) {
		return nil
	}
	all := activeReplicaSets(append(append([]*appsv1.ReplicaSet(nil), old...), newRS))
	sizes := proportionalSizes(ctx, d, all)
	for _, rs := range all {
		// Forced: the replicas annotations change even where the size does not.
		if _, _, err := s.scaleReplicaSet(ctx, rs, sizes[rs.Name], d, true); err != nil {
			return err
		}
	}
	return nil
}

// proportionalSizes spreads the change between the active ReplicaSets' total and what d
// allows now (spec.replicas + maxSurge) over them in proportion to their sizes (relative to
// the max-replicas they were sized for), the rounding leftover to the first in line: the
// largest (newest among equals) when growing, the largest (oldest among equals) when
// shrinking. It sorts all in that order.
func proportionalSizes(ctx context.Context, d *appsv1.Deployment, all []*appsv1.ReplicaSet) map[string]int32 {
	allowed := int32(0)
	if replicas(d) > 0 {
		allowed = replicas(d) + maxSurge(d)
	}
	toAdd := allowed - replicaCount(all)
	switch {
	case toAdd > 0:
		sort.Sort(bySizeNewer(all))
	case toAdd < 0:
		sort.Sort(bySizeOlder(all))
	}
	sizes := make(map[string]int32, len(all))
	added := int32(0)
	for _, rs := range all {
		sizes[rs.Name] = rsReplicas(rs)
		if toAdd != 0 {
			p := proportion(ctx, rs, d, toAdd, added)
			sizes[rs.Name] += p
			added += p
		}
	}
	if len(all) > 0 && toAdd != 0 {
		first := all[0].Name
		sizes[first] = max(sizes[first]+toAdd-added, 0)
	}
	return sizes
}

// proportion is rs's share of toAdd, bounded by what is left of it after added.
func proportion(ctx context.Context, rs *appsv1.ReplicaSet, d *appsv1.Deployment, toAdd, added int32) int32 {
	if rs == nil || rsReplicas(rs) == 0 || toAdd == 0 || toAdd == added {
		return 0
	}
	fraction := replicaSetFraction(ctx, rs, d)
	allowed := toAdd - added
	if toAdd > 0 {
		return min(fraction, allowed)
	}
	return max(fraction, allowed)
}

// replicaSetFraction is how much rs grows or shrinks when d goes from the max-replicas rs was
// sized for to its current spec.replicas + maxSurge.
func replicaSetFraction(ctx context.Context, rs *appsv1.ReplicaSet, d *appsv1.Deployment) int32 {
	if replicas(d) == 0 {
		return -rsReplicas(rs)
	}
	maxNow := replicas(d) + maxSurge(d)
	maxBefore, ok := int32Annotation(rs, MaxReplicasAnnotation)
	if !ok || maxBefore == 0 {
		if _, present := rs.Annotations[MaxReplicasAnnotation]; present && !ok {
			log.FromContext(ctx).V(2).Info("Could not convert the value with annotation key for the replica set", "annotationKey", MaxReplicasAnnotation, "replicaSet", rs.Name)
		}
		maxBefore = d.Status.Replicas
		if maxBefore == 0 {
			return 0
		}
	}
	size := float64(rsReplicas(rs)*maxNow) / float64(maxBefore)
	return integer.RoundToInt32(size) - rsReplicas(rs)
}

// scaleReplicaSet sets rs's size (and the replicas annotations), recording a
// ScalingReplicaSet event when the size changed. force writes the annotations even when the
// size is already right.
func (s *syncRun) scaleReplicaSet(ctx context.Context, rs *appsv1.ReplicaSet, size int32, d *appsv1.Deployment, force bool) (bool, *appsv1.ReplicaSet, error) {
	if !force && rsReplicas(rs) == size {
		return false, rs, nil
	}
	sizeChanged := rsReplicas(rs) != size
	maxReplicas := replicas(d) + maxSurge(d)
	if !sizeChanged && !replicasAnnotationsNeedUpdate(rs, replicas(d), maxReplicas) {
		return false, rs, nil
	}
	before := rsReplicas(rs)
	updated := rs.DeepCopy()
	updated.Spec.Replicas = ptr.To(size)
	setReplicasAnnotations(updated, replicas(d), maxReplicas)
	if err := s.client.Update(ctx, updated); err != nil {
		return false, rs, err
	}
	if !sizeChanged {
		return false, updated, nil
	}
	direction := "up"
	if before > size {
		direction = "down"
	}
	s.recorder.Eventf(d, corev1.EventTypeNormal, "ScalingReplicaSet", "Scaled %s replica set %s from %d to %d", direction, updated.Name, before, size)
	return true, updated, nil
}

// cleanupDeployment deletes the oldest old ReplicaSets beyond revisionHistoryLimit, only
// those scaled to 0 with no pods left and a status that is current.
func (s *syncRun) cleanupDeployment(ctx context.Context, old []*appsv1.ReplicaSet, d *appsv1.Deployment) error {
	if !hasRevisionHistoryLimit(d) {
		return nil
	}
	var cleanable []*appsv1.ReplicaSet
	for _, rs := range old {
		if rs != nil && rs.DeletionTimestamp == nil {
			cleanable = append(cleanable, rs)
		}
	}
	diff := int32(len(cleanable)) - *d.Spec.RevisionHistoryLimit
	if diff <= 0 {
		return nil
	}
	sort.Sort(byRevision(cleanable))
	logger := log.FromContext(ctx)
	logger.V(4).Info("Looking to cleanup old replica sets for deployment")
	for _, rs := range cleanable[:diff] {
		if rs.Status.Replicas != 0 || rsReplicas(rs) != 0 || rs.Generation > rs.Status.ObservedGeneration || rs.DeletionTimestamp != nil {
			continue
		}
		logger.V(4).Info("Trying to cleanup replica set for deployment", "replicaSet", rs.Name)
		if err := s.client.Delete(ctx, rs); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	return nil
}
