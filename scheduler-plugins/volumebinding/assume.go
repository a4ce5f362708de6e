package volumebinding

import (
	"fmt"
	"strconv"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// assumeCache overlays objects the scheduler assumed (updated in memory, API update not yet
// sent or seen) on an informer's view. An assumed object is dropped once the informer has a
// newer version, or on Restore. Keys are "namespace/name" (or "name" for cluster objects).
type assumeCache[T metav1.Object] struct {
	kind string
	// get reads the informer's object.
	get func(key string) (T, error)
	// list reads all the informer's objects.
	list func() ([]T, error)

	mu      sync.Mutex
	assumed map[string]T
}

func newAssumeCache[T metav1.Object](kind string, get func(string) (T, error), list func() ([]T, error)) *assumeCache[T] {
	return &assumeCache[T]{kind: kind, get: get, list: list, assumed: map[string]T{}}
}

func cacheKey(o metav1.Object) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

func version(o metav1.Object) int64 {
	v, _ := strconv.ParseInt(o.GetResourceVersion(), 10, 64)
	return v
}

// latest returns the assumed object if the informer's api is not newer (dropping it otherwise).
func (c *assumeCache[T]) latest(key string, api T) T {
	a, ok := c.assumed[key]
	if !ok {
		return api
	}
	if version(api) > version(a) {
		delete(c.assumed, key)
		return api
	}
	return a
}

// Get returns the assumed object, else the informer's.
func (c *assumeCache[T]) Get(key string) (T, error) {
	api, err := c.get(key)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.assumed, key)
		return api, err
	}
	return c.latest(key, api), nil
}

// GetAPIObj returns the informer's object, ignoring assumptions.
func (c *assumeCache[T]) GetAPIObj(key string) (T, error) { return c.get(key) }

// List returns all objects, assumed versions where they are current.
func (c *assumeCache[T]) List() ([]T, error) {
	objs, err := c.list()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]T, len(objs))
	seen := make(map[string]bool, len(objs))
	for i, o := range objs {
		key := cacheKey(o)
		seen[key] = true
		out[i] = c.latest(key, o)
	}
	for key := range c.assumed {
		if !seen[key] {
			delete(c.assumed, key)
		}
	}
	return out, nil
}

// Assume records obj as the current version; it must not be older than what is cached.
func (c *assumeCache[T]) Assume(obj T) error {
	key := cacheKey(obj)
	api, err := c.get(key)
	if err != nil {
		return fmt.Errorf("%s %q not found: %w", c.kind, key, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur := c.latest(key, api)
	if version(obj) < version(cur) {
		return fmt.Errorf("%s %q is out of sync (stored: %d, assume: %d)", c.kind, key, version(cur), version(obj))
	}
	c.assumed[key] = obj
	return nil
}

// Restore drops the assumed version of key.
func (c *assumeCache[T]) Restore(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.assumed, key)
}
