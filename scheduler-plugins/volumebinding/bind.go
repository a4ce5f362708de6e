package volumebinding

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/component-helpers/storage/volume"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

var errNoPodVolumeForNode = errors.New("no pod volume found for node")

// Reserve assumes the node's bindings: chosen volumes pre-bound to their claims, claims to
// provision annotated with the node, so the next pods see them taken.
func (pl *Plugin) Reserve(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	state, err := getState(cs)
	if err != nil {
		return fwk.AsStatus(err)
	}
	vols, ok := state.byNode[nodeName]
	if !ok {
		// The pod has no claims.
		state.allBound = true
		return nil
	}
	allBound, err := pl.assume(klog.FromContext(ctx), pod, nodeName, vols)
	if err != nil {
		return fwk.AsStatus(err)
	}
	state.allBound = allBound
	return nil
}

func (pl *Plugin) assume(logger klog.Logger, pod *corev1.Pod, nodeName string, vols *podVolumes) (bool, error) {
	logger.V(4).Info("AssumePodVolumes", "pod", klog.KObj(pod), "node", klog.KRef("", nodeName))
	if pl.allBound(pod) {
		logger.V(4).Info("AssumePodVolumes: all PVCs bound and nothing to do", "pod", klog.KObj(pod), "node", klog.KRef("", nodeName))
		return true, nil
	}
	var static []*binding
	for _, b := range vols.static {
		pv, dirty, err := volume.GetBindVolumeToClaim(b.pv, b.pvc)
		if err == nil && dirty {
			err = pl.pvCache.Assume(pv)
		}
		if err != nil {
			pl.revert(&podVolumes{static: static})
			return false, err
		}
		static = append(static, &binding{pvc: b.pvc, pv: pv})
	}
	var dynamic []*provision
	for _, p := range vols.dynamic {
		// p.pvc may be the informer's object: change a copy.
		claim := p.pvc.DeepCopy()
		metav1.SetMetaDataAnnotation(&claim.ObjectMeta, volume.AnnSelectedNode, nodeName)
		if err := pl.pvcCache.Assume(claim); err != nil {
			pl.revert(&podVolumes{static: static, dynamic: dynamic})
			return false, err
		}
		dynamic = append(dynamic, &provision{pvc: claim})
	}
	vols.static, vols.dynamic = static, dynamic
	return false, nil
}

// revert drops the assumed versions of vols' volumes and claims.
func (pl *Plugin) revert(vols *podVolumes) {
	for _, b := range vols.static {
		pl.pvCache.Restore(b.pv.Name)
	}
	for _, p := range vols.dynamic {
		pl.pvcCache.Restore(cacheKey(p.pvc))
	}
}

// Unreserve forgets what Reserve assumed.
func (pl *Plugin) Unreserve(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeName string) {
	state, err := getState(cs)
	if err != nil {
		return
	}
	if vols, ok := state.byNode[nodeName]; ok {
		pl.revert(vols)
	}
}

// PreBindPreFlight: Skip when all claims are bound; PreBind may run beside other plugins'.
func (pl *Plugin) PreBindPreFlight(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeName string) (*fwk.PreBindPreFlightResult, *fwk.Status) {
	result := &fwk.PreBindPreFlightResult{AllowParallel: true}
	state, err := getState(cs)
	if err != nil {
		return result, fwk.AsStatus(err)
	}
	if state.allBound {
		return result, fwk.NewStatus(fwk.Skip)
	}
	if _, ok := state.byNode[nodeName]; !ok {
		return result, fwk.AsStatus(fmt.Errorf("%w %q", errNoPodVolumeForNode, nodeName))
	}
	return result, nil
}

// PreBind sends the assumed bindings to the API (volumes' claimRef, claims'
// volume.kubernetes.io/selected-node) and waits, up to bindTimeoutSeconds, until the volume
// controller and provisioners have bound every claim.
func (pl *Plugin) PreBind(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeName string) *fwk.Status {
	state, err := getState(cs)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if state.allBound {
		return nil
	}
	vols, ok := state.byNode[nodeName]
	if !ok {
		return fwk.AsStatus(fmt.Errorf("%w %q", errNoPodVolumeForNode, nodeName))
	}
	logger := klog.FromContext(ctx)
	logger.V(5).Info("Trying to bind volumes for pod", "pod", klog.KObj(pod))
	if err := pl.bindPodVolumes(ctx, pod, nodeName, vols); err != nil {
		logger.V(5).Info("Failed to bind volumes for pod", "pod", klog.KObj(pod), "err", err)
		return fwk.AsStatus(err)
	}
	logger.V(5).Info("Success binding volumes for pod", "pod", klog.KObj(pod))
	return nil
}

func (pl *Plugin) bindPodVolumes(ctx context.Context, pod *corev1.Pod, nodeName string, vols *podVolumes) error {
	logger := klog.FromContext(ctx)
	logger.V(4).Info("BindPodVolumes", "pod", klog.KObj(pod), "node", klog.KRef("", nodeName))
	if err := pl.bindAPIUpdate(ctx, pod, vols); err != nil {
		return err
	}
	err := wait.PollUntilContextTimeout(ctx, pl.pollInterval, pl.bindTimeout, false, func(context.Context) (bool, error) {
		return pl.checkBindings(logger, pod, nodeName, vols)
	})
	if err != nil {
		return fmt.Errorf("binding volumes: %w", err)
	}
	return nil
}

// bindAPIUpdate updates the chosen volumes and the claims to provision; the assumptions of
// those not sent are dropped on failure.
func (pl *Plugin) bindAPIUpdate(ctx context.Context, pod *corev1.Pod, vols *podVolumes) error {
	logger := klog.FromContext(ctx)
	doneStatic, doneDynamic := 0, 0
	defer func() {
		pl.revert(&podVolumes{static: vols.static[doneStatic:], dynamic: vols.dynamic[doneDynamic:]})
	}()
	for _, b := range vols.static {
		logger.V(5).Info("Updating PersistentVolume: binding to claim", "pod", klog.KObj(pod), "PV", klog.KObj(b.pv), "PVC", klog.KObj(b.pvc))
		pv, err := pl.client.CoreV1().PersistentVolumes().Update(ctx, b.pv, metav1.UpdateOptions{})
		if err != nil {
			logger.V(4).Info("Updating PersistentVolume: binding to claim failed", "pod", klog.KObj(pod), "PV", klog.KObj(b.pv), "PVC", klog.KObj(b.pvc), "err", err)
			return err
		}
		logger.V(2).Info("Updated PersistentVolume with claim. Waiting for binding to complete", "pod", klog.KObj(pod), "PV", klog.KObj(b.pv), "PVC", klog.KObj(b.pvc))
		b.pv = pv
		doneStatic++
	}
	for _, p := range vols.dynamic {
		logger.V(5).Info("Updating claims objects to trigger volume provisioning", "pod", klog.KObj(pod), "PVC", klog.KObj(p.pvc))
		claim, err := pl.client.CoreV1().PersistentVolumeClaims(p.pvc.Namespace).Update(ctx, p.pvc, metav1.UpdateOptions{})
		if err != nil {
			logger.V(4).Info("Updating PersistentVolumeClaim: binding to volume failed", "PVC", klog.KObj(p.pvc), "err", err)
			return err
		}
		p.pvc = claim
		doneDynamic++
	}
	return nil
}

// checkBindings reports whether every claim is fully bound (reading the informers, not the
// assumptions), and an error when binding failed and scheduling must be retried.
func (pl *Plugin) checkBindings(logger klog.Logger, pod *corev1.Pod, nodeName string, vols *podVolumes) (bool, error) {
	node, err := pl.nodeLister.Get(nodeName)
	if err != nil {
		return false, fmt.Errorf("failed to get node %q: %w", nodeName, err)
	}
	if _, err := pl.podLister.Pods(pod.Namespace).Get(pod.Name); err != nil {
		if apierrors.IsNotFound(err) {
			return false, fmt.Errorf("pod does not exist any more: %w", err)
		}
		logger.Error(err, "Failed to get pod from the lister", "pod", klog.KObj(pod))
	}
	for _, b := range vols.static {
		pv, err := pl.pvCache.GetAPIObj(b.pv.Name)
		if err != nil {
			return false, fmt.Errorf("failed to check binding: %w", err)
		}
		pvc, err := pl.pvcCache.GetAPIObj(cacheKey(b.pvc))
		if err != nil {
			return false, fmt.Errorf("failed to check binding: %w", err)
		}
		if version(b.pv) > version(pv) {
			// Our update has not reached the informer yet.
			return false, nil
		}
		if err := volume.CheckNodeAffinity(pv, node.Labels); err != nil {
			return false, fmt.Errorf("pv %q node affinity doesn't match node %q: %w", pv.Name, node.Name, err)
		}
		if pv.Spec.ClaimRef == nil || pv.Spec.ClaimRef.UID == "" {
			return false, fmt.Errorf("ClaimRef got reset for pv %q", pv.Name)
		}
		if !fullyBound(pvc) {
			return false, nil
		}
	}
	for _, p := range vols.dynamic {
		pvc, err := pl.pvcCache.GetAPIObj(cacheKey(p.pvc))
		if err != nil {
			return false, fmt.Errorf("failed to check provisioning pvc: %w", err)
		}
		if version(p.pvc) > version(pvc) {
			return false, nil
		}
		if pvc.Annotations == nil {
			return false, fmt.Errorf("selectedNode annotation reset for PVC %q", pvc.Name)
		}
		// A provisioner that fails removes the annotation to have the pod rescheduled.
		if pvc.Annotations[volume.AnnSelectedNode] != nodeName {
			return false, fmt.Errorf("provisioning failed for PVC %q", pvc.Name)
		}
		if pvc.Spec.VolumeName != "" {
			pv, err := pl.pvCache.GetAPIObj(pvc.Spec.VolumeName)
			if err != nil {
				if apierrors.IsNotFound(err) {
					// Not seen yet; or deleted, and the claim will be unbound.
					return false, nil
				}
				return false, fmt.Errorf("failed to get pv %q from cache: %w", pvc.Spec.VolumeName, err)
			}
			if err := volume.CheckNodeAffinity(pv, node.Labels); err != nil {
				return false, fmt.Errorf("pv %q node affinity doesn't match node %q: %w", pv.Name, node.Name, err)
			}
		}
		if !fullyBound(pvc) {
			return false, nil
		}
	}
	logger.V(2).Info("All PVCs for pod are bound", "pod", klog.KObj(pod))
	return true, nil
}
