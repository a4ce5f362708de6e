package deployment

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// rolloutRecreate scales the old ReplicaSets to 0, waits until none of their pods runs, then
// creates or scales up the new one.
func (s *syncRun) rolloutRecreate(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet, pods map[types.UID][]*corev1.Pod) error {
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, false)
	if err != nil {
		return err
	}
	all := append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	scaledDown, err := s.scaleDownOldReplicaSetsForRecreate(ctx, activeReplicaSets(old), d)
	if err != nil {
		return err
	}
	if scaledDown {
		return s.syncRolloutStatus(ctx, all, newRS, d)
	}
	if oldPodsRunning(newRS, old, pods) {
		return s.syncRolloutStatus(ctx, all, newRS, d)
	}
	if newRS == nil {
		newRS, old, err = s.replicaSetsAndSyncRevision(ctx, d, rsList, true)
		if err != nil {
			return err
		}
		all = append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	}
	if _, _, err := s.scaleReplicaSet(ctx, newRS, replicas(d), d, false); err != nil {
		return err
	}
	if deploymentComplete(d, &d.Status) {
		if err := s.cleanupDeployment(ctx, old, d); err != nil {
			return err
		}
	}
	return s.syncRolloutStatus(ctx, all, newRS, d)
}

func (s *syncRun) scaleDownOldReplicaSetsForRecreate(ctx context.Context, old []*appsv1.ReplicaSet, d *appsv1.Deployment) (bool, error) {
	scaled := false
	for i, rs := range old {
		if rsReplicas(rs) == 0 {
			continue
		}
		ok, updated, err := s.scaleReplicaSet(ctx, rs, 0, d, false)
		if err != nil {
			return false, err
		}
		if ok {
			old[i] = updated
			scaled = true
		}
	}
	return scaled, nil
}

// oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods has not finished
// (terminating ones included).
func oldPodsRunning(newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet, pods map[types.UID][]*corev1.Pod) bool {
	if actualReplicaCount(old) > 0 {
		return true
	}
	for uid, list := range pods {
		if newRS != nil && newRS.UID == uid {
			continue
		}
		for _, p := range list {
			if p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded {
				return true
			}
		}
	}
	return false
}
