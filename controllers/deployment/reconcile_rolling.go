package deployment

import (
	"context"
	"fmt"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// rolloutRolling takes one step of a rolling update: grow the new ReplicaSet within maxSurge,
// else shrink the old ones within maxUnavailable, and once complete clean up old ReplicaSets.
func (s *syncRun) rolloutRolling(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	all := append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	scaledUp, err := s.reconcileNewReplicaSet(ctx, all, newRS, d)
	if err != nil {
		return err
	}
	if scaledUp {
		return s.syncRolloutStatus(ctx, all, newRS, d)
	}
	scaledDown, err := s.reconcileOldReplicaSets(ctx, all, activeReplicaSets(old), newRS, d)
	if err != nil {
		return err
	}
	if scaledDown {
		return s.syncRolloutStatus(ctx, all, newRS, d)
	}
	if deploymentComplete(d, &d.Status) {
		if err := s.cleanupDeployment(ctx, old, d); err != nil {
			return err
		}
	}
	return s.syncRolloutStatus(ctx, all, newRS, d)
}

func (s *syncRun) reconcileNewReplicaSet(ctx context.Context, all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet, d *appsv1.Deployment) (bool, error) {
	if rsReplicas(newRS) == replicas(d) {
		return false, nil
	}
	if rsReplicas(newRS) > replicas(d) {
		scaled, _, err := s.scaleReplicaSet(ctx, newRS, replicas(d), d, false)
		return scaled, err
	}
	size, err := newRSReplicas(d, all, newRS)
	if err != nil {
		return false, err
	}
	scaled, _, err := s.scaleReplicaSet(ctx, newRS, size, d, false)
	return scaled, err
}

// oldScaleDownRoom is how many old pods may go now: those over minAvailable, less the new
// ReplicaSet's pods that are not yet available (they may never be).
func oldScaleDownRoom(d *appsv1.Deployment, all []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet) int32 {
	minAvailable := replicas(d) - maxUnavailable(d)
	newUnavailable := rsReplicas(newRS) - newRS.Status.AvailableReplicas
	return replicaCount(all) - minAvailable - newUnavailable
}

func (s *syncRun) reconcileOldReplicaSets(ctx context.Context, all, old []*appsv1.ReplicaSet, newRS *appsv1.ReplicaSet, d *appsv1.Deployment) (bool, error) {
	logger := log.FromContext(ctx)
	if replicaCount(old) == 0 {
		return false, nil // nothing left to scale down
	}
	room := oldScaleDownRoom(d, all, newRS)
	if room <= 0 {
		return false, nil
	}
	// Unhealthy old pods go first: they cost no availability.
	old, cleaned, err := s.cleanupUnhealthyReplicas(ctx, old, d, room)
	if err != nil {
		return false, nil // upstream ignores it: the next sync retries
	}
	logger.V(4).Info("Cleaned up unhealthy replicas from old RSes", "count", cleaned)
	all = append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	scaledDown, err := s.scaleDownOldReplicaSetsForRollingUpdate(ctx, all, old, d)
	if err != nil {
		return false, nil
	}
	logger.V(4).Info("Scaled down old RSes", "count", scaledDown)
	return cleaned+scaledDown > 0, nil
}

// cleanupUnhealthyReplicas shrinks old ReplicaSets by their unavailable pods, oldest first,
// at most maxCleanup in all.
func (s *syncRun) cleanupUnhealthyReplicas(ctx context.Context, old []*appsv1.ReplicaSet, d *appsv1.Deployment, maxCleanup int32) ([]*appsv1.ReplicaSet, int32, error) {
	sort.Sort(byCreation(old))
	total := int32(0)
	for i, rs := range old {
		if total >= maxCleanup {
			break
		}
		if rsReplicas(rs) == 0 || rsReplicas(rs) == rs.Status.AvailableReplicas {
			continue
		}
		n := min(maxCleanup-total, rsReplicas(rs)-rs.Status.AvailableReplicas)
		size := rsReplicas(rs) - n
		if size > rsReplicas(rs) {
			return nil, 0, fmt.Errorf("when cleaning up unhealthy replicas, got invalid request to scale down %s/%s %d -> %d", rs.Namespace, rs.Name, rsReplicas(rs), size)
		}
		_, updated, err := s.scaleReplicaSet(ctx, rs, size, d, false)
		if err != nil {
			return nil, total, err
		}
		total += n
		old[i] = updated
	}
	return old, total, nil
}

// scaleDownOldReplicaSetsForRollingUpdate shrinks old ReplicaSets, oldest first, by the
// available pods beyond minAvailable.
func (s *syncRun) scaleDownOldReplicaSetsForRollingUpdate(ctx context.Context, all, old []*appsv1.ReplicaSet, d *appsv1.Deployment) (int32, error) {
	minAvailable := replicas(d) - maxUnavailable(d)
	available := availableReplicaCount(all)
	if available <= minAvailable {
		return 0, nil // cannot scale down further
	}
	sort.Sort(byCreation(old))
	total, target := int32(0), available-minAvailable
	for _, rs := range old {
		if total >= target {
			break
		}
		if rsReplicas(rs) == 0 {
			continue
		}
		n := min(rsReplicas(rs), target-total)
		if _, _, err := s.scaleReplicaSet(ctx, rs, rsReplicas(rs)-n, d, false); err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
