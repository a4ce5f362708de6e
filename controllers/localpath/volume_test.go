package localpath

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func claim(mods ...func(*corev1.PersistentVolumeClaim)) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "data", UID: "u1"},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	for _, m := range mods {
		m(c)
	}
	return c
}

func TestBuildVolume(t *testing.T) {
	class := standardClass()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n1", Labels: map[string]string{corev1.LabelHostname: "host-1"}}}
	v, err := buildVolume(claim(), class, node, "/var/lib/skiff/local-path")
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "pvc-u1" || v.Annotations[annProvisionedBy] != Provisioner {
		t.Errorf("name %s annotations %v", v.Name, v.Annotations)
	}
	if got, want := v.Spec.HostPath.Path, "/var/lib/skiff/local-path/ns_data_pvc-u1"; got != want {
		t.Errorf("path = %s, want %s", got, want)
	}
	if *v.Spec.HostPath.Type != corev1.HostPathDirectoryOrCreate {
		t.Errorf("hostPath type = %s", *v.Spec.HostPath.Type)
	}
	expr := v.Spec.NodeAffinity.Required.NodeSelectorTerms[0].MatchExpressions[0]
	if expr.Key != corev1.LabelHostname || expr.Values[0] != "host-1" {
		t.Errorf("node affinity = %+v", expr)
	}
	if v.Spec.ClaimRef.UID != "u1" || v.Spec.StorageClassName != DefaultClassName ||
		v.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimDelete || v.Spec.Capacity.Storage().String() != "1Gi" {
		t.Errorf("spec = %+v", v.Spec)
	}

	fails := map[string]*corev1.PersistentVolumeClaim{
		"selector": claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.Selector = &metav1.LabelSelector{} }),
		"block":    claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.VolumeMode = ptr.To(corev1.PersistentVolumeBlock) }),
		"rwx": claim(func(c *corev1.PersistentVolumeClaim) {
			c.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany}
		}),
		"no size": claim(func(c *corev1.PersistentVolumeClaim) { c.Spec.Resources.Requests = nil }),
	}
	for name, c := range fails {
		if _, err := buildVolume(c, class, node, "/d"); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	retain := &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: "keep"}, ReclaimPolicy: ptr.To(corev1.PersistentVolumeReclaimRetain)}
	if v, _ := buildVolume(claim(), retain, node, "/d"); v.Spec.PersistentVolumeReclaimPolicy != corev1.PersistentVolumeReclaimRetain {
		t.Errorf("reclaim policy = %s, want Retain", v.Spec.PersistentVolumeReclaimPolicy)
	}
}

func TestPickNode(t *testing.T) {
	node := func(name string, ready corev1.ConditionStatus, mods ...func(*corev1.Node)) corev1.Node {
		n := corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
		n.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}
		for _, m := range mods {
			m(&n)
		}
		return n
	}
	cordoned := func(n *corev1.Node) { n.Spec.Unschedulable = true }
	tainted := func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "x", Effect: corev1.TaintEffectNoSchedule}}
	}
	on := func(host string) corev1.PersistentVolume {
		v, _ := buildVolume(claim(), standardClass(), &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: host}}, "/d")
		return *v
	}
	tests := []struct {
		name    string
		nodes   []corev1.Node
		volumes []corev1.PersistentVolume
		want    string
	}{
		{"by name", []corev1.Node{node("b", corev1.ConditionTrue), node("a", corev1.ConditionTrue)}, nil, "a"},
		{"fewest volumes", []corev1.Node{node("b", corev1.ConditionTrue), node("a", corev1.ConditionTrue)}, []corev1.PersistentVolume{on("a")}, "b"},
		{"skips not ready, cordoned, tainted", []corev1.Node{
			node("a", corev1.ConditionFalse), node("b", corev1.ConditionTrue, cordoned), node("c", corev1.ConditionTrue, tainted), node("d", corev1.ConditionTrue),
		}, nil, "d"},
		{"none", []corev1.Node{node("a", corev1.ConditionUnknown)}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if n := pickNode(tt.nodes, tt.volumes); n != nil {
				got = n.Name
			}
			if got != tt.want {
				t.Errorf("pickNode = %q, want %q", got, tt.want)
			}
		})
	}
}
