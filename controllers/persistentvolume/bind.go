package persistentvolume

import (
	"context"
	"fmt"
	"reflect"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/storage/volume"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// annPreResizeCapacity holds a volume's size before an offline resize.
const annPreResizeCapacity = "volume.alpha.kubernetes.io/pre-resize-capacity"

// bind points the volume at the claim and the claim at the volume, then sets both Bound,
// in upstream's order so that an interrupted bind is finished by the next sync.
func (r *Reconciler) bind(ctx context.Context, v *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	bound, dirty, err := volume.GetBindVolumeToClaim(v, claim)
	if err != nil {
		return err
	}
	if dirty {
		if err := r.client.Update(ctx, bound); err != nil {
			return fmt.Errorf("binding volume %s to claim %s: %w", v.Name, claimKey(claim), err)
		}
		log.FromContext(ctx).V(2).Info("Claim bound to volume", "volumeName", v.Name)
		v = bound
	}
	if v, err = r.updateVolumePhase(ctx, v, corev1.VolumeBound, ""); err != nil {
		return err
	}
	if claim, err = r.bindClaimToVolume(ctx, claim, v); err != nil {
		return err
	}
	return r.updateClaimStatus(ctx, claim, corev1.ClaimBound, v)
}

// bindClaimToVolume sets the claim's volumeName and its bind annotations.
func (r *Reconciler) bindClaimToVolume(ctx context.Context, claim *corev1.PersistentVolumeClaim, v *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, error) {
	updated := claim.DeepCopy()
	dirty := false
	if claim.Spec.VolumeName != v.Name {
		updated.Spec.VolumeName = v.Name
		if !metav1.HasAnnotation(updated.ObjectMeta, volume.AnnBoundByController) {
			metav1.SetMetaDataAnnotation(&updated.ObjectMeta, volume.AnnBoundByController, "yes")
		}
		dirty = true
	}
	if !metav1.HasAnnotation(updated.ObjectMeta, volume.AnnBindCompleted) {
		metav1.SetMetaDataAnnotation(&updated.ObjectMeta, volume.AnnBindCompleted, "yes")
		dirty = true
	}
	if !dirty {
		return claim, nil
	}
	if err := r.client.Update(ctx, updated); err != nil {
		return nil, fmt.Errorf("binding claim %s to volume %s: %w", claimKey(claim), v.Name, err)
	}
	log.FromContext(ctx).V(2).Info("Volume bound to claim", "volumeName", v.Name)
	return updated, nil
}

// updateClaimStatus sets the claim's phase, and its access modes and capacity from the volume.
func (r *Reconciler) updateClaimStatus(ctx context.Context, claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, v *corev1.PersistentVolume) error {
	updated, dirty, err := claimStatus(claim, phase, v)
	if err != nil || !dirty {
		return err
	}
	if err := r.client.Status().Update(ctx, updated); err != nil {
		return fmt.Errorf("setting claim %s %s: %w", claimKey(claim), phase, err)
	}
	log.FromContext(ctx).V(2).Info("Claim entered phase", "phase", phase)
	return nil
}

// claimStatus returns the claim with the status upstream's updateClaimStatus would write.
func claimStatus(claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, v *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, bool, error) {
	out := claim.DeepCopy()
	dirty := false
	if claim.Status.Phase != phase {
		out.Status.Phase = phase
		dirty = true
	}
	if v == nil {
		if claim.Status.AccessModes != nil || claim.Status.Capacity != nil || claim.Status.CurrentVolumeAttributesClassName != nil {
			out.Status.AccessModes, out.Status.Capacity, out.Status.CurrentVolumeAttributesClassName = nil, nil, nil
			dirty = true
		}
		return out, dirty, nil
	}
	if !reflect.DeepEqual(claim.Status.AccessModes, v.Spec.AccessModes) {
		out.Status.AccessModes = v.Spec.AccessModes
		dirty = true
	}
	if claim.Status.Phase != phase {
		volumeCap, ok := v.Spec.Capacity[corev1.ResourceStorage]
		if !ok {
			return nil, false, fmt.Errorf("PersistentVolume %q is without a storage capacity", v.Name)
		}
		claimCap, has := claim.Status.Capacity[corev1.ResourceStorage]
		if pre, ok := v.Annotations[annPreResizeCapacity]; ok {
			q, err := resource.ParseQuantity(pre)
			if err != nil {
				q = volumeCap
			}
			if out.Status.Capacity == nil {
				out.Status.Capacity = corev1.ResourceList{}
			}
			out.Status.Capacity[corev1.ResourceStorage] = q
			dirty = true
		} else if !has || volumeCap.Cmp(claimCap) != 0 {
			out.Status.Capacity = v.Spec.Capacity
			dirty = true
		}
	}
	if claim.Status.Phase == corev1.ClaimPending && phase == corev1.ClaimBound &&
		!reflect.DeepEqual(claim.Status.CurrentVolumeAttributesClassName, v.Spec.VolumeAttributesClassName) {
		out.Status.CurrentVolumeAttributesClassName = v.Spec.VolumeAttributesClassName
		dirty = true
	}
	return out, dirty, nil
}

// updateClaimStatusWithEvent sets the claim's phase (without a volume) and records why, once.
func (r *Reconciler) updateClaimStatusWithEvent(ctx context.Context, claim *corev1.PersistentVolumeClaim, phase corev1.PersistentVolumeClaimPhase, reason, msg string) error {
	if claim.Status.Phase == phase {
		return nil
	}
	if err := r.updateClaimStatus(ctx, claim, phase, nil); err != nil {
		return err
	}
	r.recorder.Event(claim, corev1.EventTypeWarning, reason, msg)
	return nil
}

// updateVolumePhase sets the volume's phase and message.
func (r *Reconciler) updateVolumePhase(ctx context.Context, v *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, msg string) (*corev1.PersistentVolume, error) {
	if v.Status.Phase == phase {
		return v, nil
	}
	updated := v.DeepCopy()
	updated.Status.Phase = phase
	updated.Status.Message = msg
	if err := r.client.Status().Update(ctx, updated); err != nil {
		return nil, fmt.Errorf("setting volume %s %s: %w", v.Name, phase, err)
	}
	log.FromContext(ctx).V(2).Info("Volume entered phase", "volumeName", v.Name, "phase", phase)
	return updated, nil
}

// updateVolumePhaseWithEvent sets the volume's phase and records why, once.
func (r *Reconciler) updateVolumePhaseWithEvent(ctx context.Context, v *corev1.PersistentVolume, phase corev1.PersistentVolumePhase, eventType, reason, msg string) (*corev1.PersistentVolume, error) {
	if v.Status.Phase == phase {
		return v, nil
	}
	updated, err := r.updateVolumePhase(ctx, v, phase, msg)
	if err != nil {
		return nil, err
	}
	r.recorder.Event(updated, eventType, reason, msg)
	return updated, nil
}

// unbindVolume undoes the controller's binding of a volume (or only the claim UID of one
// pre-bound by a user) and makes it Available.
func (r *Reconciler) unbindVolume(ctx context.Context, v *corev1.PersistentVolume) error {
	updated := v.DeepCopy()
	if metav1.HasAnnotation(v.ObjectMeta, volume.AnnBoundByController) {
		updated.Spec.ClaimRef = nil
		delete(updated.Annotations, volume.AnnBoundByController)
		if len(updated.Annotations) == 0 {
			updated.Annotations = nil
		}
	} else {
		updated.Spec.ClaimRef.UID = ""
	}
	if err := r.client.Update(ctx, updated); err != nil {
		return fmt.Errorf("unbinding volume %s: %w", v.Name, err)
	}
	_, err := r.updateVolumePhase(ctx, updated, corev1.VolumeAvailable, "")
	return err
}
