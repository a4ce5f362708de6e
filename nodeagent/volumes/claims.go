package volumes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/storage/ephemeral"
)

// pvcProtectionFinalizer keeps a claim in use from going away.
const pvcProtectionFinalizer = "kubernetes.io/pvc-protection"

// setUpClaim resolves a persistentVolumeClaim or generic ephemeral volume to its bound
// PersistentVolume and uses that volume's hostPath or local path (what the built-in
// local-path provisioner and static local volumes are).
func (m *Manager) setUpClaim(ctx context.Context, pod *corev1.Pod, v *corev1.Volume) (hostVolume, error) {
	claimName, readOnly := "", false
	if v.PersistentVolumeClaim != nil {
		claimName, readOnly = v.PersistentVolumeClaim.ClaimName, v.PersistentVolumeClaim.ReadOnly
	} else {
		claimName = ephemeral.VolumeClaimName(pod, v)
	}
	pv, err := m.boundVolume(ctx, pod, v, claimName)
	if err != nil {
		return hostVolume{}, fmt.Errorf("error processing PVC %s/%s: %w", pod.Namespace, claimName, err)
	}
	if pv.Spec.VolumeMode != nil && *pv.Spec.VolumeMode == corev1.PersistentVolumeBlock {
		return hostVolume{}, fmt.Errorf("volume %s has volumeMode %s, but is specified in volumeMounts", v.Name, corev1.PersistentVolumeBlock)
	}
	switch src := pv.Spec.PersistentVolumeSource; {
	case src.HostPath != nil:
		return hostVolume{path: src.HostPath.Path, readOnly: readOnly}, setUpHostPath(src.HostPath.Path, src.HostPath.Type)
	case src.Local != nil:
		if _, err := os.Stat(src.Local.Path); err != nil {
			return hostVolume{}, fmt.Errorf("local volume %s: %w", pv.Name, err)
		}
		return hostVolume{path: src.Local.Path, readOnly: readOnly}, nil
	}
	return hostVolume{}, fmt.Errorf("persistent volume %s: volume type is not supported by this node (only hostPath and local)", pv.Name)
}

// boundVolume is the PersistentVolume bound to claim ns/claimName, checked as the
// kubelet's volume populator checks it.
func (m *Manager) boundVolume(ctx context.Context, pod *corev1.Pod, v *corev1.Volume, claimName string) (*corev1.PersistentVolume, error) {
	pvc, err := m.cfg.Client.CoreV1().PersistentVolumeClaims(pod.Namespace).Get(ctx, claimName, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to fetch PVC from API server: %w", err)
	}
	if pvc.DeletionTimestamp != nil && !slices.Contains(pvc.Finalizers, pvcProtectionFinalizer) {
		return nil, errors.New("PVC is being deleted")
	}
	if pvc.Status.Phase != corev1.ClaimBound {
		return nil, errors.New("PVC is not bound")
	}
	if pvc.Spec.VolumeName == "" {
		return nil, errors.New("PVC has empty pvc.Spec.VolumeName")
	}
	if v.Ephemeral != nil {
		if err := ephemeral.VolumeIsForPod(pod, pvc); err != nil {
			return nil, err
		}
	}
	pv, err := m.cfg.Client.CoreV1().PersistentVolumes().Get(ctx, pvc.Spec.VolumeName, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("failed to fetch PV %s from API server: %w", pvc.Spec.VolumeName, err)
	}
	if pv.Spec.ClaimRef == nil {
		return nil, fmt.Errorf("found PV object %s but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim", pv.Name)
	}
	if pv.Spec.ClaimRef.UID != pvc.UID {
		return nil, fmt.Errorf("found PV object %s but its pv.Spec.ClaimRef.UID %s does not point to claim.UID %s", pv.Name, pv.Spec.ClaimRef.UID, pvc.UID)
	}
	return pv, nil
}
