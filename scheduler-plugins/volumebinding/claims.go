package volumebinding

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/storage/ephemeral"
	"k8s.io/component-helpers/storage/volume"
	"k8s.io/klog/v2"
)

// podClaims are a pod's claims sorted by how the scheduler must treat them.
type podClaims struct {
	// bound are fully bound; their volumes' node affinity must match the node.
	bound []*corev1.PersistentVolumeClaim
	// unboundDelayBinding are unbound with a WaitForFirstConsumer class: bound or
	// provisioned for the chosen node.
	unboundDelayBinding []*corev1.PersistentVolumeClaim
	// unboundImmediate should already have been bound by the volume controller.
	unboundImmediate []*corev1.PersistentVolumeClaim
	// volumesByClass are the volumes of the classes of unboundDelayBinding.
	volumesByClass map[string][]*corev1.PersistentVolume
}

// claimName returns the claim a volume uses ("" for none) and whether it is a generic
// ephemeral volume's.
func claimName(pod *corev1.Pod, v *corev1.Volume) (string, bool) {
	switch {
	case v.PersistentVolumeClaim != nil:
		return v.PersistentVolumeClaim.ClaimName, false
	case v.Ephemeral != nil:
		return ephemeral.VolumeClaimName(pod, v), true
	}
	return "", false
}

// podHasPVCs reports whether pod uses claims, and an error for a claim that is missing,
// lost, being deleted or (for an ephemeral volume) not the pod's.
func (pl *Plugin) podHasPVCs(pod *corev1.Pod) (bool, error) {
	has := false
	for i := range pod.Spec.Volumes {
		name, isEphemeral := claimName(pod, &pod.Spec.Volumes[i])
		if name == "" {
			continue
		}
		has = true
		pvc, err := pl.pvcLister.PersistentVolumeClaims(pod.Namespace).Get(name)
		if err != nil {
			// Right after a pod is created, its ephemeral claims normally don't exist yet.
			if isEphemeral && apierrors.IsNotFound(err) {
				err = fmt.Errorf("waiting for ephemeral volume controller to create the persistentvolumeclaim %q", name)
			}
			return has, err
		}
		if pvc.Status.Phase == corev1.ClaimLost {
			return has, fmt.Errorf("persistentvolumeclaim %q bound to non-existent persistentvolume %q", pvc.Name, pvc.Spec.VolumeName)
		}
		if pvc.DeletionTimestamp != nil {
			return has, fmt.Errorf("persistentvolumeclaim %q is being deleted", pvc.Name)
		}
		if isEphemeral {
			if err := ephemeral.VolumeIsForPod(pod, pvc); err != nil {
				return has, err
			}
		}
	}
	return has, nil
}

// fullyBound reports whether the volume controller finished binding pvc.
func fullyBound(pvc *corev1.PersistentVolumeClaim) bool {
	return pvc.Spec.VolumeName != "" && metav1.HasAnnotation(pvc.ObjectMeta, volume.AnnBindCompleted)
}

// volumeClaim returns the (possibly assumed) claim of a volume; nil for volumes without one.
func (pl *Plugin) volumeClaim(pod *corev1.Pod, v *corev1.Volume) (*corev1.PersistentVolumeClaim, error) {
	name, isEphemeral := claimName(pod, v)
	if name == "" {
		return nil, nil
	}
	key := pod.Namespace + "/" + name
	pvc, err := pl.pvcCache.Get(key)
	if err != nil {
		return nil, fmt.Errorf("error getting PVC %q: %v", key, err)
	}
	if isEphemeral {
		if err := ephemeral.VolumeIsForPod(pod, pvc); err != nil {
			return nil, err
		}
	}
	return pvc, nil
}

// allBound reports whether every claim of pod is fully bound.
func (pl *Plugin) allBound(pod *corev1.Pod) bool {
	for i := range pod.Spec.Volumes {
		pvc, err := pl.volumeClaim(pod, &pod.Spec.Volumes[i])
		if err != nil || pvc != nil && !fullyBound(pvc) {
			return false
		}
	}
	return true
}

// podVolumeClaims sorts pod's claims (see podClaims). A claim pre-bound to a volume counts
// as unbound immediate.
func (pl *Plugin) podVolumeClaims(logger klog.Logger, pod *corev1.Pod) (*podClaims, error) {
	c := &podClaims{volumesByClass: map[string][]*corev1.PersistentVolume{}}
	for i := range pod.Spec.Volumes {
		pvc, err := pl.volumeClaim(pod, &pod.Spec.Volumes[i])
		if err != nil {
			return c, err
		}
		if pvc == nil {
			continue
		}
		if fullyBound(pvc) {
			logger.V(5).Info("PVC is fully bound to PV", "PVC", klog.KObj(pvc), "PV", klog.KRef("", pvc.Spec.VolumeName))
			c.bound = append(c.bound, pvc)
			continue
		}
		delay, err := volume.IsDelayBindingMode(pvc, pl.classLister)
		if err != nil {
			return c, err
		}
		if delay && pvc.Spec.VolumeName == "" {
			c.unboundDelayBinding = append(c.unboundDelayBinding, pvc)
		} else {
			c.unboundImmediate = append(c.unboundImmediate, pvc)
		}
	}
	if len(c.unboundDelayBinding) == 0 {
		return c, nil
	}
	all, err := pl.pvCache.List()
	if err != nil {
		return nil, err
	}
	for _, pvc := range c.unboundDelayBinding {
		class := volume.GetPersistentVolumeClaimClass(pvc)
		if _, ok := c.volumesByClass[class]; ok {
			continue
		}
		vols := []*corev1.PersistentVolume{}
		for _, pv := range all {
			if volume.GetPersistentVolumeClass(pv) == class {
				vols = append(vols, pv)
			}
		}
		c.volumesByClass[class] = vols
	}
	return c, nil
}
