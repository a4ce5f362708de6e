package volumebinding

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
)

// hasEnoughCapacity checks CSIStorageCapacity for drivers that opt in (CSIDriver
// spec.storageCapacity): some capacity of the class, reachable from node, must fit the
// claim. It returns that capacity.
func (pl *Plugin) hasEnoughCapacity(logger klog.Logger, provisioner string, pvc *corev1.PersistentVolumeClaim, class *storagev1.StorageClass, node *corev1.Node) (bool, *storagev1.CSIStorageCapacity, error) {
	q, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return true, nil, nil
	}
	driver, err := pl.csiDriverLister.Get(provisioner)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return true, nil, nil
		}
		return false, nil, err
	}
	if driver.Spec.StorageCapacity == nil || !*driver.Spec.StorageCapacity {
		return true, nil, nil
	}
	capacities, err := pl.capacityLister.List(labels.Everything())
	if err != nil {
		return false, nil, err
	}
	size := q.Value()
	for _, c := range capacities {
		if c.StorageClassName != class.Name {
			continue
		}
		if limit := volumeLimit(c); limit == nil || limit.Value() < size {
			continue
		}
		if nodeHasAccess(logger, node, c) {
			return true, c, nil
		}
	}
	logger.V(5).Info("Node has no accessible CSIStorageCapacity with enough capacity for PVC",
		"node", klog.KObj(node), "PVC", klog.KObj(pvc), "size", size, "storageClass", klog.KObj(class))
	return false, nil, nil
}

// volumeLimit is the largest volume a capacity can hold: maximumVolumeSize, else capacity.
func volumeLimit(c *storagev1.CSIStorageCapacity) *resource.Quantity {
	if c.MaximumVolumeSize != nil {
		return c.MaximumVolumeSize
	}
	return c.Capacity
}

func nodeHasAccess(logger klog.Logger, node *corev1.Node, c *storagev1.CSIStorageCapacity) bool {
	if c.NodeTopology == nil {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(c.NodeTopology)
	if err != nil {
		logger.Error(err, "Unexpected error converting to a label selector", "nodeTopology", c.NodeTopology)
		return false
	}
	return sel.Matches(labels.Set(node.Labels))
}
