package persistentvolume

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/component-helpers/storage/ephemeral"
	"k8s.io/component-helpers/storage/volume"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// syncUnboundClaim finds or waits for a volume for a claim not bound yet.
func (r *Reconciler) syncUnboundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	if claim.Spec.VolumeName != "" {
		return r.syncRequestedVolume(ctx, claim)
	}
	delayBinding, err := r.isDelayBinding(ctx, claim)
	if err != nil {
		return err
	}
	volumes, err := r.volumes(ctx)
	if err != nil {
		return err
	}
	v, err := findBestMatch(claim, volumes, delayBinding)
	if err != nil {
		return fmt.Errorf("error finding PV for claim %q: %w", claimKey(claim), err)
	}
	if v != nil {
		return r.bind(ctx, v, claim)
	}
	if updated, err := r.assignDefaultStorageClass(ctx, claim); err != nil || updated {
		return err
	}
	switch {
	case delayBinding && !volume.IsDelayBindingProvisioning(claim):
		if err := r.emitWaitingForConsumer(ctx, claim); err != nil {
			return err
		}
	case volume.GetPersistentVolumeClaimClass(claim) != "":
		// Provisioning updates the claim; binding happens when the volume shows up.
		return r.provisionClaim(ctx, claim)
	default:
		r.recorder.Event(claim, corev1.EventTypeNormal, "FailedBinding", "no persistent volumes available for this claim and no storage class is set")
	}
	return r.updateClaimStatus(ctx, claim, corev1.ClaimPending, nil)
}

// syncRequestedVolume handles a claim that names its volume.
func (r *Reconciler) syncRequestedVolume(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	v := &corev1.PersistentVolume{}
	if err := r.client.Get(ctx, types.NamespacedName{Name: claim.Spec.VolumeName}, v); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return err
		}
		return r.updateClaimStatus(ctx, claim, corev1.ClaimPending, nil)
	}
	switch {
	case v.Spec.ClaimRef == nil:
		if err := checkVolumeSatisfyClaim(v, claim); err != nil {
			r.recorder.Event(claim, corev1.EventTypeWarning, "VolumeMismatch", fmt.Sprintf("Cannot bind to requested volume %q: %s", v.Name, err))
			return r.updateClaimStatus(ctx, claim, corev1.ClaimPending, nil)
		}
		return r.bind(ctx, v, claim)
	case volume.IsVolumeBoundToClaim(v, claim):
		return r.bind(ctx, v, claim)
	default:
		msg := fmt.Sprintf("volume %q already bound to a different claim.", v.Name)
		r.recorder.Event(claim, corev1.EventTypeWarning, "FailedBinding", msg)
		if _, ok := claim.Annotations[volume.AnnBoundByController]; !ok {
			return r.updateClaimStatus(ctx, claim, corev1.ClaimPending, nil)
		}
		return fmt.Errorf("invalid binding of claim %q to volume %q: volume already claimed by %q", claimKey(claim), claim.Spec.VolumeName, v.Spec.ClaimRef.Namespace+"/"+v.Spec.ClaimRef.Name)
	}
}

// syncBoundClaim checks a claim bound before still has its volume.
func (r *Reconciler) syncBoundClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	if claim.Spec.VolumeName == "" {
		return r.updateClaimStatusWithEvent(ctx, claim, corev1.ClaimLost, "ClaimLost", "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
	}
	v := &corev1.PersistentVolume{}
	if err := r.client.Get(ctx, types.NamespacedName{Name: claim.Spec.VolumeName}, v); err != nil {
		if client.IgnoreNotFound(err) != nil {
			return err
		}
		return r.updateClaimStatusWithEvent(ctx, claim, corev1.ClaimLost, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
	}
	if v.Spec.ClaimRef == nil || v.Spec.ClaimRef.UID == claim.UID {
		return r.bind(ctx, v, claim)
	}
	return r.updateClaimStatusWithEvent(ctx, claim, corev1.ClaimLost, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly")
}

// assignDefaultStorageClass gives a claim without a class the default one, retroactively.
func (r *Reconciler) assignDefaultStorageClass(ctx context.Context, claim *corev1.PersistentVolumeClaim) (bool, error) {
	if volume.PersistentVolumeClaimHasClass(claim) {
		return false, nil
	}
	classes := &storagev1.StorageClassList{}
	if err := r.client.List(ctx, classes); err != nil {
		return false, err
	}
	def := defaultClass(classes.Items)
	if def == nil {
		return false, nil
	}
	updated := claim.DeepCopy()
	updated.Spec.StorageClassName = &def.Name
	if err := r.client.Update(ctx, updated); err != nil {
		return false, fmt.Errorf("can't update PersistentVolumeClaim[%q]: %w", claimKey(claim), err)
	}
	log.FromContext(ctx).V(4).Info("Assigned the default StorageClass", "storageClassName", def.Name)
	return true, nil
}

// defaultClass returns the newest class marked default (name breaking ties), as upstream.
func defaultClass(classes []storagev1.StorageClass) *storagev1.StorageClass {
	var best *storagev1.StorageClass
	for i := range classes {
		c := &classes[i]
		if c.Annotations["storageclass.kubernetes.io/is-default-class"] != "true" && c.Annotations["storageclass.beta.kubernetes.io/is-default-class"] != "true" {
			continue
		}
		if best == nil || c.CreationTimestamp.After(best.CreationTimestamp.Time) ||
			(c.CreationTimestamp.Equal(&best.CreationTimestamp) && c.Name < best.Name) {
			best = c
		}
	}
	return best
}

// emitWaitingForConsumer tells why a claim of a WaitForFirstConsumer class is not bound.
func (r *Reconciler) emitWaitingForConsumer(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	pods := &corev1.PodList{}
	if err := r.client.List(ctx, pods, client.InNamespace(claim.Namespace)); err != nil {
		return err
	}
	var names []string
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.Spec.NodeName != "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		for _, vol := range p.Spec.Volumes {
			if pvcName(p, vol) == claim.Name {
				names = append(names, p.Name)
				break
			}
		}
	}
	reason, msg := "WaitForFirstConsumer", "waiting for first consumer to be created before binding"
	switch {
	case len(names) == 1:
		reason, msg = "WaitForPodScheduled", fmt.Sprintf("waiting for pod %s to be scheduled", names[0])
	case len(names) > 1:
		reason, msg = "WaitForPodScheduled", fmt.Sprintf("waiting for pods %s to be scheduled", strings.Join(names, ","))
	}
	r.recorder.Event(claim, corev1.EventTypeNormal, reason, msg)
	return nil
}

// pvcName returns the claim a pod volume uses (generic ephemeral volumes included).
func pvcName(pod *corev1.Pod, vol corev1.Volume) string {
	switch {
	case vol.PersistentVolumeClaim != nil:
		return vol.PersistentVolumeClaim.ClaimName
	case vol.Ephemeral != nil:
		return ephemeral.VolumeClaimName(pod, &vol)
	}
	return ""
}

// provisionClaim hands the claim to its class's provisioner: all are external here, so it
// annotates the claim with the provisioner's name and says it waits.
func (r *Reconciler) provisionClaim(ctx context.Context, claim *corev1.PersistentVolumeClaim) error {
	className := volume.GetPersistentVolumeClaimClass(claim)
	class, err := r.storageClass(ctx, className)
	if err != nil {
		return err
	}
	if class == nil {
		r.recorder.Event(claim, corev1.EventTypeWarning, "ProvisioningFailed", fmt.Sprintf("storageclass.storage.k8s.io %q not found", className))
		return nil
	}
	if strings.HasPrefix(class.Provisioner, "kubernetes.io/") {
		// An in-tree plugin name: none can provision here.
		r.recorder.Event(claim, corev1.EventTypeWarning, "ProvisioningFailed", "no volume plugin matched name: "+class.Provisioner)
		return nil
	}
	if claim.Annotations[volume.AnnStorageProvisioner] != class.Provisioner {
		updated := claim.DeepCopy()
		metav1.SetMetaDataAnnotation(&updated.ObjectMeta, volume.AnnBetaStorageProvisioner, class.Provisioner)
		metav1.SetMetaDataAnnotation(&updated.ObjectMeta, volume.AnnStorageProvisioner, class.Provisioner)
		if err := r.client.Update(ctx, updated); err != nil {
			r.recorder.Event(claim, corev1.EventTypeWarning, "ProvisioningFailed", fmt.Sprintf("Error saving claim: %v", err))
			return err
		}
		claim = updated
	}
	r.recorder.Event(claim, corev1.EventTypeNormal, "ExternalProvisioning", fmt.Sprintf("Waiting for a volume to be created either by the external provisioner '%s' "+
		"or manually by the system administrator. If volume creation is delayed, please verify that "+
		"the provisioner is running and correctly registered.", class.Provisioner))
	return nil
}

func claimKey(claim *corev1.PersistentVolumeClaim) string { return claim.Namespace + "/" + claim.Name }
