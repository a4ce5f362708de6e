package persistentvolume

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func validPV(mutate ...func(*corev1.PersistentVolume)) *corev1.PersistentVolume {
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: "pv", ResourceVersion: "1"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			VolumeMode:                    ptr.To(corev1.PersistentVolumeFilesystem),
			PersistentVolumeSource:        corev1.PersistentVolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/export"}},
		},
	}
	for _, m := range mutate {
		m(pv)
	}
	return pv
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.PersistentVolume)
		path   string
	}{
		{"valid", func(*corev1.PersistentVolume) {}, ""},
		{"no access modes", func(p *corev1.PersistentVolume) { p.Spec.AccessModes = nil }, "spec.accessModes"},
		{"RWOP with others", func(p *corev1.PersistentVolume) {
			p.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOncePod, corev1.ReadOnlyMany}
		}, "spec.accessModes"},
		{"no capacity", func(p *corev1.PersistentVolume) { p.Spec.Capacity = nil }, "spec.capacity"},
		{"zero capacity", func(p *corev1.PersistentVolume) { p.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("0") }, "spec.capacity[storage]"},
		{"no source", func(p *corev1.PersistentVolume) { p.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{} }, "spec"},
		{"two sources", func(p *corev1.PersistentVolume) { p.Spec.HostPath = &corev1.HostPathVolumeSource{Path: "/x"} }, "spec.nfs"},
		{"relative nfs path", func(p *corev1.PersistentVolume) { p.Spec.NFS.Path = "export" }, "spec.nfs.path"},
		{"bad reclaim policy", func(p *corev1.PersistentVolume) { p.Spec.PersistentVolumeReclaimPolicy = "Keep" }, "spec.persistentVolumeReclaimPolicy"},
		{"local without node affinity", func(p *corev1.PersistentVolume) {
			p.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{Local: &corev1.LocalVolumeSource{Path: "/mnt/disk"}}
		}, "spec.nodeAffinity"},
		{"csi without handle", func(p *corev1.PersistentVolume) {
			p.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{CSI: &corev1.CSIPersistentVolumeSource{Driver: "csi.example.com"}}
		}, "spec.csi.volumeHandle"},
		{"hostPath with backsteps", func(p *corev1.PersistentVolume) {
			p.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/a/../b"}}
		}, "spec.hostPath.path"},
		{"mount options annotation on hostPath", func(p *corev1.PersistentVolume) {
			p.Spec.PersistentVolumeSource = corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/a"}}
			p.Annotations = map[string]string{corev1.MountOptionAnnotation: "ro"}
		}, "metadata.annotations.volume.beta.kubernetes.io/mount-options"},
		{"empty node affinity", func(p *corev1.PersistentVolume) { p.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{} }, "spec.nodeAffinity.required"},
		{"node affinity without terms", func(p *corev1.PersistentVolume) {
			p.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{}}
		}, "spec.nodeAffinity.required.nodeSelectorTerms"},
		{"node affinity In without values", func(p *corev1.PersistentVolume) {
			p.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn}},
			}}}}
		}, "spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values"},
		{"node affinity field selector on a label", func(p *corev1.PersistentVolume) {
			p.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchFields: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}},
			}}}}
		}, "spec.nodeAffinity.required.nodeSelectorTerms[0].matchFields[0].key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(validPV(tc.mutate), ValidationOptions(nil))
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) == 0 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validPV()
	pv := validPV(func(p *corev1.PersistentVolume) { p.Spec.NFS.Path = "/other" })
	errs := ValidateUpdate(pv, old, ValidationOptions(old))
	if len(errs) != 1 || errs[0].Field != "spec.persistentvolumesource" || !strings.Contains(errs[0].Detail, `-  "path": "/export"`) {
		t.Fatalf("source change: %v", errs)
	}
	pv = validPV(func(p *corev1.PersistentVolume) { p.Spec.Capacity[corev1.ResourceStorage] = resource.MustParse("2Gi") })
	if errs := ValidateUpdate(pv, old, ValidationOptions(old)); len(errs) != 0 {
		t.Fatalf("capacity change: %v", errs)
	}
	affinity := func(key string) func(*corev1.PersistentVolume) {
		return func(p *corev1.PersistentVolume) {
			p.Spec.NodeAffinity = &corev1.VolumeNodeAffinity{Required: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: key, Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}}}}}}
		}
	}
	old = validPV(affinity(corev1.LabelFailureDomainBetaZone))
	if errs := ValidateUpdate(validPV(affinity(corev1.LabelTopologyZone)), old, ValidationOptions(old)); len(errs) != 0 {
		t.Fatalf("beta to GA label: %v", errs)
	}
	if errs := ValidateUpdate(validPV(affinity("other")), old, ValidationOptions(old)); len(errs) != 1 || errs[0].Field != "nodeAffinity" {
		t.Fatalf("node affinity change: %v", errs)
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	pv := validPV(func(p *corev1.PersistentVolume) { p.Status.Phase = corev1.VolumeBound })
	Strategy.PrepareForCreate(ctx, pv)
	if pv.Status.Phase != corev1.VolumePending || pv.Status.LastPhaseTransitionTime == nil {
		t.Fatalf("create status %+v", pv.Status)
	}
	status := pv.DeepCopy()
	status.Status.Phase = corev1.VolumeAvailable
	status.Status.LastPhaseTransitionTime = nil
	status.Spec.PersistentVolumeReclaimPolicy = corev1.PersistentVolumeReclaimDelete
	StatusStrategy.PrepareForUpdate(ctx, status, pv)
	if status.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain || status.Status.LastPhaseTransitionTime == nil {
		t.Fatalf("status update %+v", status)
	}
	row, _ := Table.Row(validPV(func(p *corev1.PersistentVolume) {
		p.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns", Name: "data"}
		p.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany, corev1.ReadWriteOnce}
	}))
	if row[0] != "1Gi" || row[1] != "RWO,RWX" || row[4] != "ns/data" || row[6] != "<unset>" || row[9] != "Filesystem" {
		t.Errorf("row %v", row)
	}
}
