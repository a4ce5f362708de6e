package index

import (
	"context"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

const (
	// ControllerUID indexes objects by the UID of their controller ownerReference.
	ControllerUID = "skiff.controllerUID"
	// PodNodeName indexes pods by spec.nodeName.
	PodNodeName = "spec.nodeName"
)

var (
	mu sync.Mutex
	// registered holds, per field indexer (one per manager), the indexes put on it. The key
	// holds the indexer itself, not its address: a stopped manager's address may be reused
	// by the next one (tests run many), which must not pass for already indexed.
	registered = map[client.FieldIndexer]map[string]bool{}
)

// once registers an index on obj's kind unless it already is on this manager's cache.
func once(mgr manager.Manager, obj client.Object, field string, extract client.IndexerFunc) error {
	indexer := mgr.GetFieldIndexer()
	key := fmt.Sprintf("%T/%s", obj, field)
	mu.Lock()
	defer mu.Unlock()
	if registered[indexer][key] {
		return nil
	}
	if err := indexer.IndexField(context.Background(), obj, field, extract); err != nil {
		return fmt.Errorf("indexing %T by %s: %w", obj, field, err)
	}
	if registered[indexer] == nil {
		registered[indexer] = map[string]bool{}
		// Forget the manager once it stops, so that its cache can be freed.
		if err := mgr.Add(forgetOnStop{indexer}); err != nil {
			return err
		}
	}
	registered[indexer][key] = true
	return nil
}

// forgetOnStop drops a manager's record when the manager stops.
type forgetOnStop struct{ indexer client.FieldIndexer }

func (f forgetOnStop) Start(ctx context.Context) error {
	<-ctx.Done()
	mu.Lock()
	delete(registered, f.indexer)
	mu.Unlock()
	return nil
}

// NeedLeaderElection: the record goes when the manager stops, leader or not.
func (forgetOnStop) NeedLeaderElection() bool { return false }

// Orphan is the ControllerUID index key of objects without a controller (no UID looks like it).
const Orphan = "<orphan>"

// ByControllerUID indexes obj's kind (e.g. &corev1.Pod{}) by its controller's UID; list with
// client.MatchingFields{index.ControllerUID: string(owner.UID)}, or index.Orphan for the
// objects no controller owns (the ones a controller may adopt).
func ByControllerUID(mgr manager.Manager, obj client.Object) error {
	return once(mgr, obj, ControllerUID, func(o client.Object) []string {
		if ref := metav1.GetControllerOfNoCopy(o); ref != nil {
			return []string{string(ref.UID)}
		}
		return []string{Orphan}
	})
}

// PodsByNodeName indexes pods by spec.nodeName; list with
// client.MatchingFields{index.PodNodeName: node}.
func PodsByNodeName(mgr manager.Manager) error {
	return once(mgr, &corev1.Pod{}, PodNodeName, func(o client.Object) []string {
		if n := o.(*corev1.Pod).Spec.NodeName; n != "" {
			return []string{n}
		}
		return nil
	})
}
