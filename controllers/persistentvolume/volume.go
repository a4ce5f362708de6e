package persistentvolume

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/component-helpers/storage/volume"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// syncVolume keeps a volume's phase in line with its claim and reclaims it when the claim goes.
func (r *Reconciler) syncVolume(ctx context.Context, v *corev1.PersistentVolume) error {
	logger := log.FromContext(ctx)
	if v.Spec.ClaimRef == nil || v.Spec.ClaimRef.UID == "" {
		// Unused, or pre-bound to a claim that will bind it.
		_, err := r.updateVolumePhase(ctx, v, corev1.VolumeAvailable, "")
		return err
	}
	claim, err := r.claimOf(ctx, v)
	if err != nil {
		return err
	}
	switch {
	case claim == nil:
		// The claim is gone: release and reclaim (Failed stays, so the user sees it).
		if v.Status.Phase != corev1.VolumeReleased && v.Status.Phase != corev1.VolumeFailed {
			logger.V(2).Info("Volume is released and reclaim policy will be executed", "volumeName", v.Name, "reclaimPolicy", v.Spec.PersistentVolumeReclaimPolicy)
			if v, err = r.updateVolumePhase(ctx, v, corev1.VolumeReleased, ""); err != nil {
				return err
			}
		}
		return r.reclaimVolume(ctx, v)
	case claim.Spec.VolumeName == "":
		if volume.CheckVolumeModeMismatches(&claim.Spec, &v.Spec) {
			r.recorder.Event(v, corev1.EventTypeWarning, "VolumeMismatch", fmt.Sprintf("Cannot bind PersistentVolume to requested PersistentVolumeClaim %q due to incompatible volumeMode.", claim.Name))
			r.recorder.Event(claim, corev1.EventTypeWarning, "VolumeMismatch", fmt.Sprintf("Cannot bind PersistentVolume %q to requested PersistentVolumeClaim due to incompatible volumeMode.", v.Name))
		}
		// The claim's sync binds it (the watch on volumes has woken it).
		return nil
	case claim.Spec.VolumeName == v.Name:
		_, err := r.updateVolumePhase(ctx, v, corev1.VolumeBound, "")
		return err
	case metav1.HasAnnotation(v.ObjectMeta, volume.AnnDynamicallyProvisioned) && v.Spec.PersistentVolumeReclaimPolicy == corev1.PersistentVolumeReclaimDelete:
		// Provisioned for a claim that got bound elsewhere: not needed.
		if v.Status.Phase != corev1.VolumeReleased && v.Status.Phase != corev1.VolumeFailed {
			if v, err = r.updateVolumePhase(ctx, v, corev1.VolumeReleased, ""); err != nil {
				return err
			}
		}
		return r.reclaimVolume(ctx, v)
	default:
		// Bound to a claim bound elsewhere: undo (keep a user's pre-binding).
		return r.unbindVolume(ctx, v)
	}
}

// claimOf returns the claim the volume is bound to, nil when it is gone (or replaced by a
// claim of the same name), reading the server when the cache may be behind.
func (r *Reconciler) claimOf(ctx context.Context, v *corev1.PersistentVolume) (*corev1.PersistentVolumeClaim, error) {
	ref := v.Spec.ClaimRef
	key := types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}
	claim := &corev1.PersistentVolumeClaim{}
	err := r.client.Get(ctx, key, claim)
	if apierrors.IsNotFound(err) && v.Status.Phase != corev1.VolumeReleased && v.Status.Phase != corev1.VolumeFailed {
		err = r.reader.Get(ctx, key, claim)
	}
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if claim.UID != ref.UID {
		if err := r.reader.Get(ctx, key, claim); err != nil {
			return nil, client.IgnoreNotFound(err)
		}
		if claim.UID != ref.UID {
			return nil, nil
		}
	}
	return claim, nil
}

// hostPathDeletable is what upstream's hostPath deleter accepts.
var hostPathDeletable = regexp.MustCompile("/tmp/.+")

// reclaimVolume applies the reclaim policy of a released volume. Deletion of volumes of an
// external provisioner is the provisioner's; no volume plugin runs here.
func (r *Reconciler) reclaimVolume(ctx context.Context, v *corev1.PersistentVolume) error {
	if v.Annotations[volume.AnnMigratedTo] != "" {
		return nil
	}
	switch v.Spec.PersistentVolumeReclaimPolicy {
	case corev1.PersistentVolumeReclaimRetain:
		return nil
	case corev1.PersistentVolumeReclaimRecycle:
		_, err := r.updateVolumePhaseWithEvent(ctx, v, corev1.VolumeFailed, corev1.EventTypeWarning, "VolumeFailedRecycle", "No recycler plugin found for the volume!")
		return err
	case corev1.PersistentVolumeReclaimDelete:
		return r.deleteVolume(ctx, v)
	default:
		_, err := r.updateVolumePhaseWithEvent(ctx, v, corev1.VolumeFailed, corev1.EventTypeWarning, "VolumeUnknownReclaimPolicy", "Volume has unrecognized PersistentVolumeReclaimPolicy")
		return err
	}
}

// deleteVolume is upstream's deleteVolumeOperation with the volume plugins it has here: an
// external provisioner's or a CSI volume is left to its deleter, a hostPath under /tmp is
// deleted (the API object only: the directory is on a node), anything else fails.
func (r *Reconciler) deleteVolume(ctx context.Context, v *corev1.PersistentVolume) error {
	provisioner := v.Annotations[volume.AnnDynamicallyProvisioned]
	if (provisioner != "" && !strings.HasPrefix(provisioner, "kubernetes.io/")) || v.Spec.CSI != nil {
		log.FromContext(ctx).V(3).Info("External deleter for volume requested, ignoring", "volumeName", v.Name)
		return nil
	}
	var failure string
	switch {
	case v.Spec.HostPath == nil:
		failure = fmt.Sprintf("error getting deleter volume plugin for volume %q: no deletable volume plugin matched", v.Name)
	case !hostPathDeletable.MatchString(v.Spec.HostPath.Path):
		failure = fmt.Sprintf("host_path deleter only supports /tmp/.+ but received provided %s", v.Spec.HostPath.Path)
	}
	if failure != "" {
		_, err := r.updateVolumePhaseWithEvent(ctx, v, corev1.VolumeFailed, corev1.EventTypeWarning, "VolumeFailedDelete", failure)
		return err
	}
	if err := r.client.Delete(ctx, v); err != nil && !apierrors.IsNotFound(err) {
		log.FromContext(ctx).V(3).Info("Failed to delete volume from database", "volumeName", v.Name, "err", err)
	}
	return nil
}
