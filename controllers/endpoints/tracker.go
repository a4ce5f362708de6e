package endpoints

import (
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// staleTracker records the resourceVersion of Endpoints this controller has just replaced:
// seeing that version in the cache again means the cache has not caught up yet.
type staleTracker struct {
	mu    sync.Mutex
	stale map[types.NamespacedName]string
}

func newStaleTracker() *staleTracker {
	return &staleTracker{stale: map[types.NamespacedName]string{}}
}

// Stale marks ep's resourceVersion as replaced.
func (t *staleTracker) Stale(ep *corev1.Endpoints) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stale[types.NamespacedName{Namespace: ep.Namespace, Name: ep.Name}] = ep.ResourceVersion
}

// IsStale says whether ep is a version already replaced.
func (t *staleTracker) IsStale(ep *corev1.Endpoints) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	rv, ok := t.stale[types.NamespacedName{Namespace: ep.Namespace, Name: ep.Name}]
	return ok && rv == ep.ResourceVersion
}

// Delete forgets the Endpoints of a deleted Service.
func (t *staleTracker) Delete(key types.NamespacedName) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.stale, key)
}
