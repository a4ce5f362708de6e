package statefulset

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/resourceversion"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// writes remembers, per set, the newest resource version the controller wrote of each kind
// it writes, and holds the set's next sync until the cache has seen that version: acting on a
// cache older than one's own writes creates twice or deletes twice (upstream's
// StaleControllerConsistencyStatefulSet, on by default).
type writes struct {
	cache cache.Cache
	mu    sync.Mutex
	// sets maps a set to its UID and, per kind, the newest version written.
	sets map[types.NamespacedName]*setWrites
}

type setWrites struct {
	uid types.UID
	rv  map[string]string // "pods", "persistentvolumeclaims", "statefulsets"
}

// kinds are the objects the controller writes, with a prototype to find their informers by.
var kinds = map[string]client.Object{
	"pods":                   &corev1.Pod{},
	"persistentvolumeclaims": &corev1.PersistentVolumeClaim{},
	"statefulsets":           &appsv1.StatefulSet{},
}

func newWrites(c cache.Cache) *writes {
	return &writes{cache: c, sets: map[types.NamespacedName]*setWrites{}}
}

// wrote records that the controller wrote a resource of kind at rv on behalf of set.
func (w *writes) wrote(set *appsv1.StatefulSet, kind, rv string) {
	if rv == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	key := types.NamespacedName{Namespace: set.Namespace, Name: set.Name}
	s := w.sets[key]
	if s == nil || s.uid != set.UID {
		s = &setWrites{uid: set.UID, rv: map[string]string{}}
		w.sets[key] = s
	}
	if old, ok := s.rv[kind]; ok {
		if c, err := resourceversion.CompareResourceVersion(old, rv); err == nil && c >= 0 {
			return
		}
	}
	s.rv[kind] = rv
}

// ready returns nil once the cache has seen every write made for key, and forgets them.
func (w *writes) ready(ctx context.Context, key types.NamespacedName) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.sets[key]
	if s == nil {
		return nil
	}
	for kind, wrote := range s.rv {
		inf, err := w.cache.GetInformer(ctx, kinds[kind])
		if err != nil {
			return fmt.Errorf("getting the %s informer: %w", kind, err)
		}
		withStore, ok := inf.(interface{ GetStore() toolscache.Store })
		if !ok {
			continue
		}
		read := withStore.GetStore().LastStoreSyncResourceVersion()
		if read == "" {
			continue
		}
		if c, err := resourceversion.CompareResourceVersion(wrote, read); err == nil && c > 0 {
			return fmt.Errorf("read version: %s is not as new as written version: %s for %s", read, wrote, kind)
		}
	}
	delete(w.sets, key)
	return nil
}

// forget drops what was recorded for key (the set is gone).
func (w *writes) forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.sets, key)
}
