package localpath

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// volumeName is the name provisioners give a claim's volume.
func volumeName(claim *corev1.PersistentVolumeClaim) string { return "pvc-" + string(claim.UID) }

// buildVolume returns the hostPath volume for claim on node, under dir/<ns>_<claim>_<volume>.
func buildVolume(claim *corev1.PersistentVolumeClaim, class *storagev1.StorageClass, node *corev1.Node, dir string) (*corev1.PersistentVolume, error) {
	if claim.Spec.Selector != nil {
		return nil, fmt.Errorf("claim Selector is not supported")
	}
	if claim.Spec.VolumeMode != nil && *claim.Spec.VolumeMode == corev1.PersistentVolumeBlock {
		return nil, fmt.Errorf("volumeMode Block is not supported")
	}
	if slices.Contains(claim.Spec.AccessModes, corev1.ReadWriteMany) {
		return nil, fmt.Errorf("only ReadWriteOnce, ReadOnlyMany and ReadWriteOncePod access modes are supported")
	}
	size, ok := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		return nil, fmt.Errorf("claim has no storage request")
	}
	name := volumeName(claim)
	hostname := node.Labels[corev1.LabelHostname]
	if hostname == "" {
		hostname = node.Name
	}
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{annProvisionedBy: Provisioner},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes:                   claim.Spec.AccessModes,
			PersistentVolumeReclaimPolicy: ptr.Deref(class.ReclaimPolicy, corev1.PersistentVolumeReclaimDelete),
			StorageClassName:              class.Name,
			MountOptions:                  class.MountOptions,
			VolumeMode:                    ptr.To(corev1.PersistentVolumeFilesystem),
			ClaimRef: &corev1.ObjectReference{
				Kind: "PersistentVolumeClaim", APIVersion: "v1",
				Namespace: claim.Namespace, Name: claim.Name, UID: claim.UID, ResourceVersion: claim.ResourceVersion,
			},
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{
					Path: filepath.Join(dir, claim.Namespace+"_"+claim.Name+"_"+name),
					Type: ptr.To(corev1.HostPathDirectoryOrCreate),
				},
			},
			NodeAffinity: &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{
				NodeSelectorTerms: []corev1.NodeSelectorTerm{{MatchExpressions: []corev1.NodeSelectorRequirement{{
					Key: corev1.LabelHostname, Operator: corev1.NodeSelectorOpIn, Values: []string{hostname},
				}}}},
			}},
		},
	}, nil
}

// pickNode chooses a node for a claim of an Immediate class: among Ready, schedulable,
// untainted nodes the one holding the fewest of this provisioner's volumes, then by name.
func pickNode(nodes []corev1.Node, volumes []corev1.PersistentVolume) *corev1.Node {
	count := map[string]int{}
	for _, v := range volumes {
		if v.Annotations[annProvisionedBy] != Provisioner || v.Spec.NodeAffinity == nil || v.Spec.NodeAffinity.Required == nil {
			continue
		}
		for _, term := range v.Spec.NodeAffinity.Required.NodeSelectorTerms {
			for _, e := range term.MatchExpressions {
				if e.Key == corev1.LabelHostname {
					for _, h := range e.Values {
						count[h]++
					}
				}
			}
		}
	}
	var candidates []*corev1.Node
	for i := range nodes {
		n := &nodes[i]
		if n.Spec.Unschedulable || !ready(n) || hasBlockingTaint(n) {
			continue
		}
		candidates = append(candidates, n)
	}
	hostname := func(n *corev1.Node) string {
		if h := n.Labels[corev1.LabelHostname]; h != "" {
			return h
		}
		return n.Name
	}
	sort.Slice(candidates, func(i, j int) bool {
		ci, cj := count[hostname(candidates[i])], count[hostname(candidates[j])]
		if ci != cj {
			return ci < cj
		}
		return candidates[i].Name < candidates[j].Name
	})
	if len(candidates) == 0 {
		return nil
	}
	return candidates[0]
}

func ready(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasBlockingTaint(n *corev1.Node) bool {
	for _, t := range n.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			return true
		}
	}
	return false
}
