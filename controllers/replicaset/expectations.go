package replicaset

import (
	"sync"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/controllers/internal/expectations"
)

// podExpectations counts pod creations and deletions not yet seen in the cache, remembering
// which pods deletions were asked for so that a pod seen twice on its way out (deletion
// timestamp set, then gone) counts once, as upstream's UIDTrackingControllerExpectations.
type podExpectations struct {
	counts *expectations.Expectations
	mu     sync.Mutex
	// deleting holds, per owner key, the keys of the pods being deleted.
	deleting map[string]sets.Set[string]
}

func newPodExpectations(c clock.PassiveClock) *podExpectations {
	return &podExpectations{counts: expectations.New(c), deleting: map[string]sets.Set[string]{}}
}

func (e *podExpectations) expectCreations(key string, n int) {
	e.counts.Expect(key, n, 0)
}

func (e *podExpectations) expectDeletions(key string, podKeys []string) {
	e.mu.Lock()
	e.deleting[key] = sets.New(podKeys...)
	e.mu.Unlock()
	e.counts.Expect(key, 0, len(podKeys))
}

func (e *podExpectations) creationObserved(key string) {
	e.counts.Observed(key, true)
}

// deletionObserved lowers the deletions expected for key once per expected pod.
func (e *podExpectations) deletionObserved(key, podKey string) {
	e.mu.Lock()
	pods := e.deleting[key]
	found := pods.Has(podKey)
	if found {
		pods.Delete(podKey)
	}
	e.mu.Unlock()
	if found {
		e.counts.Observed(key, false)
	}
}

func (e *podExpectations) satisfied(key string) bool {
	return e.counts.Satisfied(key)
}

func (e *podExpectations) forget(key string) {
	e.mu.Lock()
	delete(e.deleting, key)
	e.mu.Unlock()
	e.counts.Forget(key)
}
