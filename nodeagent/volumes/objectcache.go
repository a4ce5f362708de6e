package volumes

import (
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/utils/clock"
)

// objectTTL is how long a ConfigMap or Secret read from the API serves every pod that mounts it.
// The kubelet refreshes each pod's volumes at every sync (once a second here); without a cache
// that was one GET per pod per second, which took the node agent's whole client rate (50/s) at
// about 50 pods and made pod start-up wait behind it. Upstream's kubelet also serves these from
// a cache (a watch, or a TTL), so an update reaches a running pod after a delay either way.
const objectTTL = 10 * time.Second

// objectCache keeps the results of reads (the object, or NotFound) for objectTTL.
type objectCache[T any] struct {
	clock clock.PassiveClock
	ttl   time.Duration

	mu        sync.Mutex
	entries   map[string]cacheEntry[T]
	lastSweep time.Time
}

type cacheEntry[T any] struct {
	obj T
	err error // nil or NotFound
	at  time.Time
}

func newObjectCache[T any](clk clock.PassiveClock, ttl time.Duration) *objectCache[T] {
	return &objectCache[T]{clock: clk, ttl: ttl, entries: map[string]cacheEntry[T]{}}
}

// get returns what fetch returned for key within the TTL, or calls it. Errors other than
// NotFound are not kept. Concurrent misses of one key may both fetch; that is harmless.
func (c *objectCache[T]) get(key string, fetch func() (T, error)) (T, error) {
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.obj, e.err
	}
	obj, err := fetch()
	if err != nil && !apierrors.IsNotFound(err) {
		return obj, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries[key] = cacheEntry[T]{obj: obj, err: err, at: now}
	if now.Sub(c.lastSweep) >= c.ttl {
		for k, e := range c.entries {
			if now.Sub(e.at) >= c.ttl {
				delete(c.entries, k)
			}
		}
		c.lastSweep = now
	}
	return obj, err
}
