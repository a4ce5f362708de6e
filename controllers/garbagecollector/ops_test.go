package garbagecollector

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

func TestPatches(t *testing.T) {
	blocking := ownerRef("ConfigMap", "o", "1")
	blocking.BlockOwnerDeletion = ptr.To(true)
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
	}{
		{"delete owner refs", func() ([]byte, error) { return deleteOwnerRefsPatch("d", []types.UID{"1", "2"}) },
			`{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"1"},{"$patch":"delete","uid":"2"}],"uid":"d"}}`},
		{"unblock", func() ([]byte, error) {
			return unblockOwnerRefsPatch("d", []metav1.OwnerReference{blocking, ownerRef("ConfigMap", "x", "2")})
		}, `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"1","blockOwnerDeletion":false}],"uid":"d"}}`},
		{"owner refs merge patch", func() ([]byte, error) {
			return ownerRefsMergePatch("7", []metav1.OwnerReference{ownerRef("ConfigMap", "x", "2")})
		}, `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"x","uid":"2"}],"resourceVersion":"7"}}`},
		{"no owner refs left", func() ([]byte, error) { return ownerRefsMergePatch("7", nil) },
			`{"metadata":{"ownerReferences":null,"resourceVersion":"7"}}`},
		{"finalizers", func() ([]byte, error) { return finalizersMergePatch("7", []string{"a/b"}) },
			`{"metadata":{"finalizers":["a/b"],"resourceVersion":"7"}}`},
		{"no finalizers left", func() ([]byte, error) { return finalizersMergePatch("7", []string{}) },
			`{"metadata":{"finalizers":null,"resourceVersion":"7"}}`},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

func TestPropagationFor(t *testing.T) {
	tests := []struct {
		finalizers []string
		want       metav1.DeletionPropagation
	}{
		{nil, metav1.DeletePropagationBackground},
		{[]string{"other"}, metav1.DeletePropagationBackground},
		{[]string{metav1.FinalizerDeleteDependents}, metav1.DeletePropagationForeground},
		{[]string{metav1.FinalizerDeleteDependents, metav1.FinalizerOrphanDependents}, metav1.DeletePropagationOrphan},
	}
	for _, tt := range tests {
		o := &metav1.ObjectMeta{Finalizers: tt.finalizers}
		if got := propagationFor(o); got != tt.want {
			t.Errorf("propagationFor(%v) = %s, want %s", tt.finalizers, got, tt.want)
		}
	}
}

func TestDeletableResources(t *testing.T) {
	all := []string{"get", "list", "watch", "delete"}
	lists := []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{
			{Name: "pods", Verbs: all}, {Name: "bindings", Verbs: []string{"create"}},
			{Name: "componentstatuses", Verbs: []string{"get", "list"}},
		}},
		{GroupVersion: "example.com/v1", APIResources: []metav1.APIResource{{Name: "widgets", Verbs: all}}},
		{GroupVersion: "bad/group/version", APIResources: []metav1.APIResource{{Name: "x", Verbs: all}}},
	}
	got := deletableResources(lists)
	want := map[schema.GroupVersionResource]struct{}{
		{Version: "v1", Resource: "pods"}:                          {},
		{Group: "example.com", Version: "v1", Resource: "widgets"}: {},
	}
	if len(got) != len(want) {
		t.Fatalf("deletable %v, want %v", got, want)
	}
	for gvr := range want {
		if _, ok := got[gvr]; !ok {
			t.Errorf("%v missing", gvr)
		}
	}
	if d := diff(map[schema.GroupVersionResource]struct{}{{Version: "v1", Resource: "pods"}: {}}, want); d != "added: [example.com/v1, Resource=widgets], removed: []" {
		t.Errorf("diff %q", d)
	}
}

func TestSlimObject(t *testing.T) {
	now := metav1.Now()
	in := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: "n", UID: "u", ResourceVersion: "5", DeletionTimestamp: &now,
		OwnerReferences: []metav1.OwnerReference{ownerRef("ConfigMap", "o", "1")}, Finalizers: []string{"f"},
		Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"big": "value"},
		ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "m"}},
	}}
	out, err := slimObject(in)
	if err != nil {
		t.Fatal(err)
	}
	o := out.(*metav1.PartialObjectMetadata)
	if o.Labels != nil || o.Annotations != nil || o.ManagedFields != nil {
		t.Errorf("kept %+v", o.ObjectMeta)
	}
	if o.Name != "n" || o.Namespace != "ns" || o.UID != "u" || o.ResourceVersion != "5" || o.DeletionTimestamp == nil || len(o.OwnerReferences) != 1 || len(o.Finalizers) != 1 {
		t.Errorf("lost %+v", o.ObjectMeta)
	}
}
