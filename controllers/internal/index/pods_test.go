package index

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

func TestControlledPods(t *testing.T) {
	pod := func(ns, name string, refs ...metav1.OwnerReference) *corev1.Pod {
		return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, OwnerReferences: refs}}
	}
	ref := func(uid string, controller bool) metav1.OwnerReference {
		return metav1.OwnerReference{UID: types.UID(uid), Controller: ptr.To(controller)}
	}
	indexer := toolscache.NewIndexer(toolscache.MetaNamespaceKeyFunc, toolscache.Indexers{podControllerIndex: podControllerKeys})
	for _, p := range []*corev1.Pod{
		pod("a", "rs1-x", ref("rs1", true)),
		pod("a", "rs1-y", ref("rs1", true)),
		pod("a", "rs2-x", ref("rs2", true)),
		pod("a", "loose"),
		pod("a", "owned-not-controlled", ref("rs1", false)),
		pod("b", "loose"),
	} {
		if err := indexer.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	c := &ControlledPods{indexer: indexer}
	names := func(pods []*corev1.Pod, err error) []string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range pods {
			out = append(out, p.Namespace+"/"+p.Name)
		}
		return out
	}
	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"controlled by rs1", names(c.ControlledBy("rs1")), []string{"a/rs1-x", "a/rs1-y"}},
		{"controlled by rs2", names(c.ControlledBy("rs2")), []string{"a/rs2-x"}},
		{"controlled by nobody known", names(c.ControlledBy("rs3")), nil},
		{"orphans of a (a non-controller reference leaves a pod an orphan)", names(c.Orphans("a")), []string{"a/loose", "a/owned-not-controlled"}},
		{"orphans of b", names(c.Orphans("b")), []string{"b/loose"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !sameSet(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
	// The pods are the indexer's own objects, not copies.
	got, _ := c.ControlledBy("rs2")
	stored, _, _ := indexer.GetByKey("a/rs2-x")
	if len(got) != 1 || got[0] != stored.(*corev1.Pod) {
		t.Error("ControlledBy returned a copy")
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s] == 0 {
			return false
		}
		seen[s]--
	}
	return true
}
