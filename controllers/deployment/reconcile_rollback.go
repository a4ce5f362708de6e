package deployment

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// rollback serves the deprecated rollback annotation (apps/v1beta1's spec.rollbackTo; kubectl
// rolls back client-side by copying a template): d gets the template and annotations of the
// ReplicaSet of that revision (0: the previous one), and the annotation is cleared.
func (s *syncRun) rollback(ctx context.Context, d *appsv1.Deployment, rsList []*appsv1.ReplicaSet) error {
	logger := log.FromContext(ctx)
	newRS, old, err := s.replicaSetsAndSyncRevision(ctx, d, rsList, true)
	if err != nil {
		return err
	}
	all := append(append([]*appsv1.ReplicaSet(nil), old...), newRS)
	to := *rollbackTo(d)
	if to == 0 {
		if to = lastRevision(all); to == 0 {
			s.recorder.Eventf(d, corev1.EventTypeWarning, RollbackRevisionNotFound, "%s", "Unable to find last revision.")
			return s.clearRollbackTo(ctx, d)
		}
	}
	for _, rs := range all {
		v, err := revision(rs.Annotations)
		if err != nil {
			logger.V(4).Info("Unable to extract revision from deployment's replica set", "replicaSet", rs.Name, "err", err)
			continue
		}
		if v != to {
			continue
		}
		if equalIgnoreHash(&d.Spec.Template, &rs.Spec.Template) {
			s.recorder.Eventf(d, corev1.EventTypeWarning, RollbackTemplateUnchanged, "%s",
				fmt.Sprintf("The rollback revision contains the same template as current deployment %q", d.Name))
			return s.clearRollbackTo(ctx, d)
		}
		d.Spec.Template.ObjectMeta = *rs.Spec.Template.ObjectMeta.DeepCopy()
		d.Spec.Template.Spec = *rs.Spec.Template.Spec.DeepCopy()
		delete(d.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
		setAnnotationsFromReplicaSet(d, rs)
		if err := s.clearRollbackTo(ctx, d); err != nil {
			return err
		}
		s.recorder.Eventf(d, corev1.EventTypeNormal, RollbackDone, "%s", fmt.Sprintf("Rolled back deployment %q to revision %d", d.Name, to))
		return nil
	}
	s.recorder.Eventf(d, corev1.EventTypeWarning, RollbackRevisionNotFound, "%s", "Unable to find the revision to rollback to.")
	return s.clearRollbackTo(ctx, d)
}

// clearRollbackTo drops the rollback annotation and writes d.
func (s *syncRun) clearRollbackTo(ctx context.Context, d *appsv1.Deployment) error {
	log.FromContext(ctx).V(4).Info("Cleans up rollbackTo of deployment")
	delete(d.Annotations, appsv1.DeprecatedRollbackTo)
	return s.client.Update(ctx, d)
}
