package volumerestrictions

import (
	corev1 "k8s.io/api/core/v1"
)

// needsRestrictionsCheck reports whether v is a disk that can conflict between pods.
func needsRestrictionsCheck(v corev1.Volume) bool {
	return v.GCEPersistentDisk != nil || v.AWSElasticBlockStore != nil || v.RBD != nil || v.ISCSI != nil
}

// volumeConflict reports whether v conflicts with one of pod's volumes: the same GCE PD
// unless both are read-only, the same EBS volume, the same iSCSI IQN unless both are
// read-only, the same RBD image (overlapping monitors, same pool) unless both are read-only.
func volumeConflict(v *corev1.Volume, pod *corev1.Pod) bool {
	for _, e := range pod.Spec.Volumes {
		if d, ed := v.GCEPersistentDisk, e.GCEPersistentDisk; d != nil && ed != nil {
			if d.PDName == ed.PDName && !(d.ReadOnly && ed.ReadOnly) {
				return true
			}
		}
		if d, ed := v.AWSElasticBlockStore, e.AWSElasticBlockStore; d != nil && ed != nil && d.VolumeID == ed.VolumeID {
			return true
		}
		if d, ed := v.ISCSI, e.ISCSI; d != nil && ed != nil {
			if d.IQN == ed.IQN && !(d.ReadOnly && ed.ReadOnly) {
				return true
			}
		}
		if d, ed := v.RBD, e.RBD; d != nil && ed != nil {
			if overlap(d.CephMonitors, ed.CephMonitors) && d.RBDPool == ed.RBDPool && d.RBDImage == ed.RBDImage && !(d.ReadOnly && ed.ReadOnly) {
				return true
			}
		}
	}
	return false
}

func overlap(a, b []string) bool {
	set := make(map[string]struct{}, len(a))
	for _, s := range a {
		set[s] = struct{}{}
	}
	for _, s := range b {
		if _, ok := set[s]; ok {
			return true
		}
	}
	return false
}
