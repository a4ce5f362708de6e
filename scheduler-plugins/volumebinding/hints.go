package volumebinding

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// EventsToRegister: storage classes, claims, volumes, nodes and CSI objects may each make
// binding possible.
func (pl *Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.StorageClass, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: isSchedulableAfterStorageClassChange},
		{Event: fwk.ClusterEvent{Resource: fwk.PersistentVolumeClaim, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: isSchedulableAfterPVCChange},
		{Event: fwk.ClusterEvent{Resource: fwk.PersistentVolume, ActionType: fwk.Add | fwk.Update}},
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel}},
		{Event: fwk.ClusterEvent{Resource: fwk.CSINode, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: isSchedulableAfterCSINodeChange},
		{Event: fwk.ClusterEvent{Resource: fwk.CSIDriver, ActionType: fwk.Update}, QueueingHintFn: isSchedulableAfterCSIDriverChange},
		{Event: fwk.ClusterEvent{Resource: fwk.CSIStorageCapacity, ActionType: fwk.Add | fwk.Update}, QueueingHintFn: isSchedulableAfterCapacityChange},
	}, nil
}

// isSchedulableAfterCSINodeChange: a new CSINode, or a change of its migrated plugins.
func isSchedulableAfterCSINodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	if oldObj == nil {
		return fwk.Queue, nil
	}
	oldN, newN, err := helper.As[*storagev1.CSINode](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if oldN.Annotations[corev1.MigratedPluginsAnnotationKey] != newN.Annotations[corev1.MigratedPluginsAnnotationKey] {
		logger.V(5).Info("CSINode's migrated plugins annotation is updated and that may make the pod schedulable", "pod", klog.KObj(pod), "CSINode", klog.KObj(newN))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

// isSchedulableAfterPVCChange: a claim of the pod (by name, ephemeral ones included).
func isSchedulableAfterPVCChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	_, pvc, err := helper.As[*corev1.PersistentVolumeClaim](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if pod.Namespace != pvc.Namespace {
		return fwk.QueueSkip, nil
	}
	for i := range pod.Spec.Volumes {
		if name, _ := claimName(pod, &pod.Spec.Volumes[i]); name != "" && name == pvc.Name {
			logger.V(5).Info("PersistentVolumeClaim the pod requires was created or updated, potentially making the target Pod schedulable", "pod", klog.KObj(pod), "PersistentVolumeClaim", klog.KObj(pvc))
			return fwk.Queue, nil
		}
	}
	return fwk.QueueSkip, nil
}

// isSchedulableAfterStorageClassChange: any new class, or a change of allowedTopologies
// (volumeBindingMode is immutable).
func isSchedulableAfterStorageClassChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldSC, newSC, err := helper.As[*storagev1.StorageClass](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if oldSC == nil {
		return fwk.Queue, nil
	}
	if !apiequality.Semantic.DeepEqual(newSC.AllowedTopologies, oldSC.AllowedTopologies) {
		logger.V(5).Info("StorageClass got an update in AllowedTopologies", "pod", klog.KObj(pod), "StorageClass", klog.KObj(newSC))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

// isSchedulableAfterCapacityChange: a new capacity, or a larger volume limit.
func isSchedulableAfterCapacityChange(_ klog.Logger, _ *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldC, newC, err := helper.As[*storagev1.CSIStorageCapacity](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if oldC == nil {
		return fwk.Queue, nil
	}
	oldL, newL := volumeLimit(oldC), volumeLimit(newC)
	if newL != nil && (oldL == nil || newL.Value() > oldL.Value()) {
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

// isSchedulableAfterCSIDriverChange: a driver of the pod's inline CSI volumes stopped
// tracking capacity.
func isSchedulableAfterCSIDriverChange(_ klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldD, newD, err := helper.As[*storagev1.CSIDriver](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	for _, v := range pod.Spec.Volumes {
		if v.CSI == nil || v.CSI.Driver != newD.Name {
			continue
		}
		if oldD.Spec.StorageCapacity != nil && *oldD.Spec.StorageCapacity && (newD.Spec.StorageCapacity == nil || !*newD.Spec.StorageCapacity) {
			return fwk.Queue, nil
		}
	}
	return fwk.QueueSkip, nil
}
