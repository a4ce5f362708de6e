package persistentvolume

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

const (
	rwo = corev1.ReadWriteOnce
	rox = corev1.ReadOnlyMany
	rwx = corev1.ReadWriteMany
)

func pv(name, size, class string, modes []corev1.PersistentVolumeAccessMode, mods ...func(*corev1.PersistentVolume)) *corev1.PersistentVolume {
	v := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"tier": "fast"}},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:         corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)},
			AccessModes:      modes,
			StorageClassName: class,
		},
		Status: corev1.PersistentVolumeStatus{Phase: corev1.VolumeAvailable},
	}
	for _, m := range mods {
		m(v)
	}
	return v
}

func pvc(size, class string, modes []corev1.PersistentVolumeAccessMode, mods ...func(*corev1.PersistentVolumeClaim)) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "claim", UID: "claim-uid"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      modes,
			StorageClassName: ptr.To(class),
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func TestFindBestMatch(t *testing.T) {
	modes := func(m ...corev1.PersistentVolumeAccessMode) []corev1.PersistentVolumeAccessMode { return m }
	preBound := func(v *corev1.PersistentVolume) {
		v.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns", Name: "claim"}
	}
	otherClaim := func(v *corev1.PersistentVolume) {
		v.Spec.ClaimRef = &corev1.ObjectReference{Namespace: "ns", Name: "other", UID: "x"}
	}
	block := func(v *corev1.PersistentVolume) { v.Spec.VolumeMode = ptr.To(corev1.PersistentVolumeBlock) }
	released := func(v *corev1.PersistentVolume) { v.Status.Phase = corev1.VolumeReleased }
	slow := func(v *corev1.PersistentVolume) { v.Labels = map[string]string{"tier": "slow"} }
	selectFast := func(c *corev1.PersistentVolumeClaim) {
		c.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "fast"}}
	}
	tests := []struct {
		name         string
		claim        *corev1.PersistentVolumeClaim
		volumes      []*corev1.PersistentVolume
		delayBinding bool
		want         string
	}{
		{"smallest that fits", pvc("5Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("big", "100Gi", "", modes(rwo)), pv("small", "1Gi", "", modes(rwo)), pv("fit", "10Gi", "", modes(rwo)),
		}, false, "fit"},
		{"class must match", pvc("1Gi", "gold", modes(rwo)), []*corev1.PersistentVolume{
			pv("plain", "1Gi", "", modes(rwo)), pv("gold", "2Gi", "gold", modes(rwo)),
		}, false, "gold"},
		{"fewer access modes first", pvc("1Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("many", "1Gi", "", modes(rwo, rox, rwx)), pv("one", "5Gi", "", modes(rwo)),
		}, false, "one"},
		{"access modes must be offered", pvc("1Gi", "", modes(rwx)), []*corev1.PersistentVolume{
			pv("rwo", "1Gi", "", modes(rwo)),
		}, false, ""},
		{"pre-bound wins over smaller", pvc("1Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("small", "1Gi", "", modes(rwo)), pv("mine", "9Gi", "", modes(rwo), preBound),
		}, false, "mine"},
		{"bound to another claim skipped", pvc("1Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("taken", "1Gi", "", modes(rwo), otherClaim),
		}, false, ""},
		{"volume mode must match", pvc("1Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("block", "1Gi", "", modes(rwo), block),
		}, false, ""},
		{"not available skipped", pvc("1Gi", "", modes(rwo)), []*corev1.PersistentVolume{
			pv("released", "1Gi", "", modes(rwo), released),
		}, false, ""},
		{"selector", pvc("1Gi", "", modes(rwo), selectFast), []*corev1.PersistentVolume{
			pv("slow", "1Gi", "", modes(rwo), slow), pv("fast", "2Gi", "", modes(rwo)),
		}, false, "fast"},
		{"delay binding leaves unbound volumes", pvc("1Gi", "wffc", modes(rwo)), []*corev1.PersistentVolume{
			pv("free", "1Gi", "wffc", modes(rwo)),
		}, true, ""},
		{"delay binding takes pre-bound", pvc("1Gi", "wffc", modes(rwo)), []*corev1.PersistentVolume{
			pv("mine", "1Gi", "wffc", modes(rwo), preBound),
		}, true, "mine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findBestMatch(tt.claim, tt.volumes, tt.delayBinding)
			if err != nil {
				t.Fatal(err)
			}
			name := ""
			if got != nil {
				name = got.Name
			}
			if name != tt.want {
				t.Errorf("findBestMatch = %q, want %q", name, tt.want)
			}
		})
	}
}

func TestCheckVolumeSatisfyClaim(t *testing.T) {
	modes := []corev1.PersistentVolumeAccessMode{rwo}
	tests := []struct {
		name  string
		v     *corev1.PersistentVolume
		claim *corev1.PersistentVolumeClaim
		want  string
	}{
		{"fits", pv("v", "2Gi", "a", modes), pvc("1Gi", "a", modes), ""},
		{"too small", pv("v", "1Gi", "a", modes), pvc("2Gi", "a", modes), "requested PV is too small"},
		{"class", pv("v", "2Gi", "a", modes), pvc("1Gi", "b", modes), "storageClassName does not match"},
		{"mode", pv("v", "2Gi", "a", modes, func(v *corev1.PersistentVolume) { v.Spec.VolumeMode = ptr.To(corev1.PersistentVolumeBlock) }), pvc("1Gi", "a", modes), "incompatible volumeMode"},
		{"access", pv("v", "2Gi", "a", modes), pvc("1Gi", "a", []corev1.PersistentVolumeAccessMode{rwx}), "incompatible accessMode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkVolumeSatisfyClaim(tt.v, tt.claim)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("checkVolumeSatisfyClaim = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClaimStatus(t *testing.T) {
	modes := []corev1.PersistentVolumeAccessMode{rwo}
	v := pv("v", "2Gi", "", modes)
	pending := pvc("1Gi", "", modes)
	pending.Status.Phase = corev1.ClaimPending

	got, dirty, err := claimStatus(pending, corev1.ClaimBound, v)
	if err != nil || !dirty {
		t.Fatalf("binding: dirty=%v err=%v", dirty, err)
	}
	if got.Status.Phase != corev1.ClaimBound || got.Status.Capacity.Storage().String() != "2Gi" || len(got.Status.AccessModes) != 1 {
		t.Errorf("bound status = %+v", got.Status)
	}
	if _, dirty, _ := claimStatus(got, corev1.ClaimBound, v); dirty {
		t.Error("status already set should not be dirty")
	}

	resized := pv("v", "4Gi", "", modes, func(v *corev1.PersistentVolume) {
		v.Annotations = map[string]string{annPreResizeCapacity: "2Gi"}
	})
	got, _, _ = claimStatus(pending, corev1.ClaimBound, resized)
	if got.Status.Capacity.Storage().String() != "2Gi" {
		t.Errorf("pre-resize capacity: %v", got.Status.Capacity)
	}

	lost, dirty, _ := claimStatus(got, corev1.ClaimLost, nil)
	if !dirty || lost.Status.Phase != corev1.ClaimLost || lost.Status.Capacity != nil || lost.Status.AccessModes != nil {
		t.Errorf("lost status = %+v", lost.Status)
	}
}

func TestDefaultClass(t *testing.T) {
	class := func(name string, age time.Duration, ann string) storagev1.StorageClass {
		c := storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(time.Unix(1e9, 0).Add(-age))}}
		if ann != "" {
			c.Annotations = map[string]string{ann: "true"}
		}
		return c
	}
	const ga, beta = "storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"
	tests := []struct {
		name    string
		classes []storagev1.StorageClass
		want    string
	}{
		{"none", []storagev1.StorageClass{class("a", 0, "")}, ""},
		{"one", []storagev1.StorageClass{class("a", 0, ""), class("b", 0, ga)}, "b"},
		{"newest wins", []storagev1.StorageClass{class("old", time.Hour, ga), class("new", 0, beta)}, "new"},
		{"name breaks ties", []storagev1.StorageClass{class("z", 0, ga), class("m", 0, ga)}, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if c := defaultClass(tt.classes); c != nil {
				got = c.Name
			}
			if got != tt.want {
				t.Errorf("defaultClass = %q, want %q", got, tt.want)
			}
		})
	}
}
