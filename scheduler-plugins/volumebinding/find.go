package volumebinding

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/component-helpers/storage/volume"
	"k8s.io/klog/v2"
)

// Filter reasons, as upstream.
const (
	ErrReasonBindConflict   = "node(s) didn't find available persistent volumes to bind"
	ErrReasonNodeConflict   = "node(s) didn't match PersistentVolume's node affinity"
	ErrReasonNotEnoughSpace = "node(s) did not have enough free storage"
	ErrReasonPVNotExist     = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
)

// binding is an available volume chosen for an unbound claim.
type binding struct {
	pvc *corev1.PersistentVolumeClaim
	pv  *corev1.PersistentVolume
}

// provision is an unbound claim to provision, with the CSI capacity that fits it (if checked).
type provision struct {
	pvc      *corev1.PersistentVolumeClaim
	capacity *storagev1.CSIStorageCapacity
}

// podVolumes is what binding the pod's claims on one node takes.
type podVolumes struct {
	static  []*binding
	dynamic []*provision
}

// findPodVolumes checks the pod's claims against node: bound volumes' node affinity, an
// available matching volume for each unbound claim, else dynamic provisioning there. It
// returns the reasons the node does not fit (none when it does).
func (pl *Plugin) findPodVolumes(logger klog.Logger, pod *corev1.Pod, claims *podClaims, node *corev1.Node) (*podVolumes, []string, error) {
	pv := &podVolumes{}
	boundOK, boundFound, unboundOK, enoughSpace := true, true, true, true
	reasons := func() []string {
		var r []string
		if !boundOK {
			r = append(r, ErrReasonNodeConflict)
		}
		if !unboundOK {
			r = append(r, ErrReasonBindConflict)
		}
		if !enoughSpace {
			r = append(r, ErrReasonNotEnoughSpace)
		}
		if !boundFound {
			r = append(r, ErrReasonPVNotExist)
		}
		return r
	}
	var err error
	if len(claims.bound) > 0 {
		if boundOK, boundFound, err = pl.checkBoundClaims(logger, claims.bound, node, pod); err != nil {
			return nil, nil, err
		}
	}
	if len(claims.unboundDelayBinding) == 0 {
		return pv, reasons(), nil
	}
	var toMatch, toProvision []*corev1.PersistentVolumeClaim
	for _, pvc := range claims.unboundDelayBinding {
		selected, ok := pvc.Annotations[volume.AnnSelectedNode]
		if !ok {
			toMatch = append(toMatch, pvc)
			continue
		}
		if selected != node.Name {
			// Provisioning already started for another node.
			unboundOK = false
			return pv, reasons(), nil
		}
		toProvision = append(toProvision, pvc)
	}
	if len(toMatch) > 0 {
		var unmatched []*corev1.PersistentVolumeClaim
		if unboundOK, pv.static, unmatched, err = pl.findMatchingVolumes(logger, pod, toMatch, claims.volumesByClass, node); err != nil {
			return nil, nil, err
		}
		toProvision = append(toProvision, unmatched...)
	}
	if len(toProvision) > 0 {
		if unboundOK, enoughSpace, pv.dynamic, err = pl.checkVolumeProvisions(logger, pod, toProvision, node); err != nil {
			return nil, nil, err
		}
	}
	return pv, reasons(), nil
}

// checkBoundClaims reports whether the bound claims' volumes all accept node, and whether
// they all exist.
func (pl *Plugin) checkBoundClaims(logger klog.Logger, claims []*corev1.PersistentVolumeClaim, node *corev1.Node, pod *corev1.Pod) (bool, bool, error) {
	for _, pvc := range claims {
		pv, err := pl.pvCache.Get(pvc.Spec.VolumeName)
		if err != nil {
			if apierrors.IsNotFound(err) {
				err = nil
			}
			return true, false, err
		}
		if err := volume.CheckNodeAffinity(pv, node.Labels); err != nil {
			logger.V(5).Info("PersistentVolume and node mismatch for pod", "PV", klog.KObj(pv), "node", klog.KObj(node), "pod", klog.KObj(pod), "err", err)
			return false, true, nil
		}
	}
	return true, true, nil
}

// findMatchingVolumes picks, smallest claims first, a distinct available volume for each
// claim usable from node; it returns the claims left without one.
func (pl *Plugin) findMatchingVolumes(logger klog.Logger, pod *corev1.Pod, claims []*corev1.PersistentVolumeClaim, byClass map[string][]*corev1.PersistentVolume, node *corev1.Node) (bool, []*binding, []*corev1.PersistentVolumeClaim, error) {
	sort.SliceStable(claims, func(i, j int) bool {
		a, b := claims[i].Spec.Resources.Requests[corev1.ResourceStorage], claims[j].Spec.Resources.Requests[corev1.ResourceStorage]
		return a.Cmp(b) < 0
	})
	chosen := map[string]*corev1.PersistentVolume{}
	var bindings []*binding
	var unmatched []*corev1.PersistentVolumeClaim
	for _, pvc := range claims {
		pv, err := volume.FindMatchingVolume(pvc, byClass[volume.GetPersistentVolumeClaimClass(pvc)], node, chosen, true, true)
		if err != nil {
			return false, nil, nil, err
		}
		if pv == nil {
			logger.V(5).Info("No matching volumes for pod", "pod", klog.KObj(pod), "PVC", klog.KObj(pvc), "node", klog.KObj(node))
			unmatched = append(unmatched, pvc)
			continue
		}
		chosen[pv.Name] = pv
		bindings = append(bindings, &binding{pvc: pvc, pv: pv})
		logger.V(5).Info("Found matching PV for PVC for pod", "PV", klog.KObj(pv), "PVC", klog.KObj(pvc), "node", klog.KObj(node), "pod", klog.KObj(pod))
	}
	return len(unmatched) == 0, bindings, unmatched, nil
}

// checkVolumeProvisions reports whether every claim's class can provision for node
// (a provisioner, allowed topologies) and whether there is CSI capacity for them.
func (pl *Plugin) checkVolumeProvisions(logger klog.Logger, pod *corev1.Pod, claims []*corev1.PersistentVolumeClaim, node *corev1.Node) (bool, bool, []*provision, error) {
	var out []*provision
	for _, pvc := range claims {
		className := volume.GetPersistentVolumeClaimClass(pvc)
		if className == "" {
			return false, false, nil, fmt.Errorf("no class for claim %q", pvc.Namespace+"/"+pvc.Name)
		}
		class, err := pl.classLister.Get(className)
		if err != nil {
			return false, false, nil, fmt.Errorf("failed to find storage class %q", className)
		}
		if class.Provisioner == "" || class.Provisioner == volume.NotSupportedProvisioner {
			logger.V(5).Info("Storage class of claim does not support dynamic provisioning", "storageClassName", className, "PVC", klog.KObj(pvc))
			return false, true, nil, nil
		}
		if !matchTopology(class.AllowedTopologies, labels.Set(node.Labels)) {
			logger.V(5).Info("Node cannot satisfy provisioning topology requirements of claim", "node", klog.KObj(node), "PVC", klog.KObj(pvc))
			return false, true, nil, nil
		}
		ok, capacity, err := pl.hasEnoughCapacity(logger, class.Provisioner, pvc, class, node)
		if err != nil {
			return false, false, nil, err
		}
		if !ok {
			return true, false, nil, nil
		}
		out = append(out, &provision{pvc: pvc, capacity: capacity})
	}
	logger.V(5).Info("Provisioning for claims of pod that has no matching volumes...", "claimCount", len(claims), "pod", klog.KObj(pod), "node", klog.KObj(node))
	return true, true, out, nil
}

// matchTopology reports whether lbls match one of the terms (ORed); no terms match
// everything, an empty term nothing.
func matchTopology(terms []corev1.TopologySelectorTerm, lbls labels.Set) bool {
	if len(terms) == 0 {
		return true
	}
	for _, term := range terms {
		if len(term.MatchLabelExpressions) == 0 {
			continue
		}
		sel := labels.NewSelector()
		valid := true
		for _, e := range term.MatchLabelExpressions {
			r, err := labels.NewRequirement(e.Key, selection.In, e.Values)
			if err != nil {
				valid = false
				break
			}
			sel = sel.Add(*r)
		}
		if valid && sel.Matches(lbls) {
			return true
		}
	}
	return false
}
