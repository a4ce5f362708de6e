package index

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

type fakeIndexer struct{ calls int }

func (f *fakeIndexer) IndexField(context.Context, client.Object, string, client.IndexerFunc) error {
	f.calls++
	return nil
}

// fakeManager has just what once uses.
type fakeManager struct {
	manager.Manager
	indexer   *fakeIndexer
	runnables []manager.Runnable
}

func (m *fakeManager) GetFieldIndexer() client.FieldIndexer { return m.indexer }
func (m *fakeManager) Add(r manager.Runnable) error         { m.runnables = append(m.runnables, r); return nil }

func TestOncePerManager(t *testing.T) {
	a := &fakeManager{indexer: &fakeIndexer{}}
	b := &fakeManager{indexer: &fakeIndexer{}}
	for range 2 {
		for _, m := range []*fakeManager{a, b} {
			if err := ByControllerUID(m, &corev1.Pod{}); err != nil {
				t.Fatal(err)
			}
			if err := PodsByNodeName(m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if a.indexer.calls != 2 || b.indexer.calls != 2 {
		t.Fatalf("IndexField calls: %d and %d, want 2 each (two indexes, once per manager)", a.indexer.calls, b.indexer.calls)
	}
	if len(a.runnables) != 1 {
		t.Fatalf("runnables added: %d, want 1", len(a.runnables))
	}

	// Once a manager stops, its record goes: a later manager at the same address (or this
	// one started again) registers its indexes itself.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.runnables[0].Start(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	_, kept := registered[a.indexer]
	mu.Unlock()
	if kept {
		t.Fatal("the stopped manager's indexes are still recorded")
	}
	if err := ByControllerUID(a, &corev1.Pod{}); err != nil {
		t.Fatal(err)
	}
	if a.indexer.calls != 3 {
		t.Fatalf("IndexField calls after the stop: %d, want 3", a.indexer.calls)
	}
	if err := ByControllerUID(b, &corev1.Pod{}); err != nil || b.indexer.calls != 2 {
		t.Fatalf("the running manager indexed again (calls %d, err %v)", b.indexer.calls, err)
	}
}
