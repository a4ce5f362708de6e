package expectations

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// ttl is how long expectations may stay unmet before they are given up, as upstream's
// ExpectationsTimeout: a lost watch event must not stall a controller forever.
const ttl = 5 * time.Minute

type record struct {
	adds, dels int64
	at         time.Time
}

// Expectations are per controller key (namespace/name of the owner).
type Expectations struct {
	mu      sync.Mutex
	clock   clock.PassiveClock
	records map[string]*record
}

// New returns empty expectations on clock c (nil: the real clock).
func New(c clock.PassiveClock) *Expectations {
	if c == nil {
		c = clock.RealClock{}
	}
	return &Expectations{clock: c, records: map[string]*record{}}
}

// Expect records that adds creations and dels deletions are about to be made for key,
// replacing what was recorded before.
func (e *Expectations) Expect(key string, adds, dels int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.records[key] = &record{adds: int64(adds), dels: int64(dels), at: e.clock.Now()}
}

// Observed lowers key's expectations by one creation (add) or deletion (!add): the cache has
// seen it, or the request failed and will never be seen.
func (e *Expectations) Observed(key string, add bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.records[key]
	if !ok {
		return
	}
	if add {
		r.adds--
	} else {
		r.dels--
	}
}

// Satisfied reports whether the cache has caught up with everything expected for key (or the
// expectations expired, or there are none) so the controller may act on what it sees.
func (e *Expectations) Satisfied(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	r, ok := e.records[key]
	if !ok {
		return true
	}
	return (r.adds <= 0 && r.dels <= 0) || e.clock.Since(r.at) > ttl
}

// Forget drops key's expectations (the owner is gone).
func (e *Expectations) Forget(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.records, key)
}
