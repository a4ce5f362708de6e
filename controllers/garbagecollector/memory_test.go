package garbagecollector

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
)

// TestGraphMemory: the graph of 50,000 pods owned by 500 ReplicaSets, with the slimmed
// objects an informer would keep, stays small.
func TestGraphMemory(t *testing.T) {
	const owners, pods = 500, 50_000
	h := newHarness(t)
	sets := make([]metav1.OwnerReference, owners)
	for i := range sets {
		sets[i] = metav1.OwnerReference{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: fmt.Sprintf("rs-%d", i),
			UID: types.UID(fmt.Sprintf("00000000-0000-0000-0000-%012d", i)), Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
	}
	objs := make([]any, 0, pods)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range pods {
		full := &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
			Namespace: "ns", Name: fmt.Sprintf("pod-%d", i), UID: types.UID(fmt.Sprintf("10000000-0000-0000-0000-%012d", i)),
			ResourceVersion: "123456", OwnerReferences: []metav1.OwnerReference{sets[i%owners]},
			Labels: map[string]string{"app": "web", "pod-template-hash": "abcdef"},
		}}
		slim, _ := slimObject(full)
		objs = append(objs, slim)
		h.gc.processEvent(logr.Discard(), &event{typ: addEvent, obj: slim.(*metav1.PartialObjectMetadata), apiVersion: "v1", kind: "Pod"})
	}
	for h.gc.attemptToDelete.Len() > 0 { // the virtual owners
		n, _ := h.gc.attemptToDelete.Get()
		h.gc.attemptToDelete.Done(n)
		h.gc.attemptToDelete.Forget(n)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perPod := (after.HeapAlloc - before.HeapAlloc) / pods
	t.Logf("graph and slim objects: %d bytes per pod, %d nodes", perPod, h.gc.graph.size())
	if h.gc.graph.size() != pods+owners {
		t.Errorf("graph has %d nodes, want %d", h.gc.graph.size(), pods+owners)
	}
	if perPod > 1024 {
		t.Errorf("%d bytes per pod; 50,000 pods would take %d MiB", perPod, perPod*pods>>20)
	}
	runtime.KeepAlive(objs)
}
