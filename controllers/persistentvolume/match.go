package persistentvolume

import (
	"errors"
	"slices"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/storage/volume"
	"k8s.io/utils/ptr"
)

// findBestMatch returns the volume for claim, as upstream's volume index: among volumes whose
// access modes include all the claim's, groups with fewer modes first, the one pre-bound to the
// claim or else the smallest that fits. With delayBinding only pre-bound volumes are returned
// (the scheduler binds the others).
func findBestMatch(claim *corev1.PersistentVolumeClaim, volumes []*corev1.PersistentVolume, delayBinding bool) (*corev1.PersistentVolume, error) {
	groups := map[string][]*corev1.PersistentVolume{}
	modes := map[string][]corev1.PersistentVolumeAccessMode{}
	for _, v := range volumes {
		key := accessModesKey(v.Spec.AccessModes)
		groups[key] = append(groups[key], v)
		modes[key] = v.Spec.AccessModes
	}
	var keys []string
	for key := range groups {
		if containsAll(modes[key], claim.Spec.AccessModes) {
			keys = append(keys, key)
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if len(modes[keys[i]]) != len(modes[keys[j]]) {
			return len(modes[keys[i]]) < len(modes[keys[j]])
		}
		return keys[i] < keys[j]
	})
	for _, key := range keys {
		v, err := volume.FindMatchingVolume(claim, groups[key], nil, nil, delayBinding, true)
		if err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

// accessModesKey is a canonical name of a set of access modes.
func accessModesKey(modes []corev1.PersistentVolumeAccessMode) string {
	set := map[string]bool{}
	for _, m := range modes {
		set[string(m)] = true
	}
	out := make([]string, 0, len(set))
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func containsAll(have, want []corev1.PersistentVolumeAccessMode) bool {
	for _, m := range want {
		if !slices.Contains(have, m) {
			return false
		}
	}
	return true
}

// checkVolumeSatisfyClaim says why a volume the claim asked for by name does not fit it.
func checkVolumeSatisfyClaim(v *corev1.PersistentVolume, claim *corev1.PersistentVolumeClaim) error {
	requested := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if v.DeletionTimestamp != nil {
		return errors.New(`the volume is marked for deletion "` + v.Name + `"`)
	}
	capacity := v.Spec.Capacity[corev1.ResourceStorage]
	if capacity.Value() < requested.Value() {
		return errors.New("requested PV is too small")
	}
	if volume.GetPersistentVolumeClass(v) != volume.GetPersistentVolumeClaimClass(claim) {
		return errors.New("storageClassName does not match")
	}
	if ptr.Deref(claim.Spec.VolumeAttributesClassName, "") != ptr.Deref(v.Spec.VolumeAttributesClassName, "") {
		return errors.New("volumeAttributesClassName does not match")
	}
	if volume.CheckVolumeModeMismatches(&claim.Spec, &v.Spec) {
		return errors.New("incompatible volumeMode")
	}
	if !volume.CheckAccessModes(claim, v) {
		return errors.New("incompatible accessMode")
	}
	return nil
}
