package garbagecollector

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// ignoredResources are never watched: events have no dependents and are many.
var ignoredResources = map[schema.GroupResource]bool{
	{Group: "", Resource: "events"}:              true,
	{Group: "events.k8s.io", Resource: "events"}: true,
}

// monitor is a running metadata informer for one resource.
type monitor struct {
	informer cache.SharedIndexInformer
	cancel   context.CancelFunc
}

// syncLoop reads discovery now and every syncPeriod, and starts and stops informers to
// follow the deletable resources (custom resources come and go).
func (gc *GarbageCollector) syncLoop(ctx context.Context) {
	var old map[schema.GroupVersionResource]struct{}
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		logger := log.FromContext(ctx)
		lists, err := gc.discovery.ServerPreferredResources()
		current := deletableResources(lists)
		if len(current) == 0 {
			logger.V(2).Info("no resources reported by discovery, skipping garbage collector sync", "err", err)
			return
		}
		if failed, ok := discovery.GroupDiscoveryFailedErrorGroups(err); ok {
			// Keep watching what a failing group had, as long as it is synced.
			logger.Info("failed to discover some groups", "groups", fmt.Sprintf("%q", failed))
			for gvr := range old {
				if _, failing := failed[gvr.GroupVersion()]; failing && gc.resourceSynced(gvr) {
					current[gvr] = struct{}{}
				}
			}
		} else if err != nil {
			logger.Info("failed to discover preferred resources", "error", err)
		}
		if maps.Equal(old, current) {
			return
		}
		logger.V(2).Info("syncing garbage collector with updated resources from discovery", "diff", diff(old, current))
		gc.mapper.Reset()
		if err := gc.syncMonitors(ctx, logger, current); err != nil {
			logger.Error(err, "failed to sync resource monitors")
			return
		}
		old = current
	}, gc.syncPeriod)
}

// deletableResources are the resources of lists (preferred versions) that can be listed,
// watched and deleted.
func deletableResources(lists []*metav1.APIResourceList) map[schema.GroupVersionResource]struct{} {
	out := map[schema.GroupVersionResource]struct{}{}
	for _, l := range discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"delete", "list", "watch"}}, lists) {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			out[gv.WithResource(r.Name)] = struct{}{}
		}
	}
	return out
}

func diff(old, current map[schema.GroupVersionResource]struct{}) string {
	var added, removed []string
	for gvr := range current {
		if _, ok := old[gvr]; !ok {
			added = append(added, gvr.String())
		}
	}
	for gvr := range old {
		if _, ok := current[gvr]; !ok {
			removed = append(removed, gvr.String())
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	return fmt.Sprintf("added: %v, removed: %v", added, removed)
}

// syncMonitors runs an informer for each of resources (but the ignored ones) and stops the
// others. It goes on past resources it cannot map and returns those errors.
func (gc *GarbageCollector) syncMonitors(ctx context.Context, logger logr.Logger, resources map[schema.GroupVersionResource]struct{}) error {
	gc.monitorsMu.Lock()
	defer gc.monitorsMu.Unlock()
	var errs []error
	added, kept := 0, 0
	stale := maps.Clone(gc.monitors)
	for gvr := range resources {
		if ignoredResources[gvr.GroupResource()] {
			continue
		}
		if _, ok := gc.monitors[gvr]; ok {
			delete(stale, gvr)
			kept++
			continue
		}
		kind, err := gc.mapper.KindFor(gvr)
		if err != nil {
			errs = append(errs, fmt.Errorf("couldn't look up resource %q: %w", gvr, err))
			continue
		}
		gc.monitors[gvr] = gc.startMonitor(ctx, gvr, kind)
		added++
	}
	for gvr, m := range stale {
		m.cancel()
		delete(gc.monitors, gvr)
	}
	logger.V(4).Info("synced monitors", "added", added, "kept", kept, "removed", len(stale))
	return errors.Join(errs...)
}

// startMonitor runs a metadata informer for gvr whose events go to graphChanges. Its store
// keeps only what the collector reads, so that many objects take little memory.
func (gc *GarbageCollector) startMonitor(ctx context.Context, gvr schema.GroupVersionResource, kind schema.GroupVersionKind) *monitor {
	informer := metadatainformer.NewFilteredMetadataInformer(gc.metadata, gvr, metav1.NamespaceAll, 0, cache.Indexers{}, nil).Informer()
	_ = informer.SetTransform(slimObject) // only fails once started
	apiVersion, k := kind.GroupVersion().String(), kind.Kind
	_, _ = informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) {
			if o, ok := obj.(*metav1.PartialObjectMetadata); ok {
				gc.graphChanges.Add(&event{typ: addEvent, obj: o, apiVersion: apiVersion, kind: k})
			}
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, ok1 := newObj.(*metav1.PartialObjectMetadata)
			old, ok2 := oldObj.(*metav1.PartialObjectMetadata)
			if ok1 && ok2 {
				gc.graphChanges.Add(&event{typ: updateEvent, obj: o, old: old, apiVersion: apiVersion, kind: k})
			}
		},
		DeleteFunc: func(obj any) {
			if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tombstone.Obj
			}
			if o, ok := obj.(*metav1.PartialObjectMetadata); ok {
				gc.graphChanges.Add(&event{typ: deleteEvent, obj: o, apiVersion: apiVersion, kind: k})
			}
		},
	})
	mctx, cancel := context.WithCancel(ctx)
	gc.monitorsWG.Go(func() { informer.RunWithContext(mctx) })
	return &monitor{informer: informer, cancel: cancel}
}

// slimObject keeps of an object's metadata what the collector uses.
func slimObject(obj any) (any, error) {
	o, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{
		Namespace: o.Namespace, Name: o.Name, UID: o.UID, ResourceVersion: o.ResourceVersion,
		DeletionTimestamp: o.DeletionTimestamp, OwnerReferences: o.OwnerReferences, Finalizers: o.Finalizers,
	}}, nil
}

func (gc *GarbageCollector) stopMonitors() {
	gc.monitorsMu.Lock()
	for gvr, m := range gc.monitors {
		m.cancel()
		delete(gc.monitors, gvr)
	}
	gc.monitorsMu.Unlock()
	gc.monitorsWG.Wait()
}

// isSynced: there are informers and all have listed.
func (gc *GarbageCollector) isSynced() bool {
	gc.monitorsMu.Lock()
	defer gc.monitorsMu.Unlock()
	if len(gc.monitors) == 0 {
		return false
	}
	for _, m := range gc.monitors {
		if !m.informer.HasSynced() {
			return false
		}
	}
	return true
}

func (gc *GarbageCollector) resourceSynced(gvr schema.GroupVersionResource) bool {
	gc.monitorsMu.Lock()
	defer gc.monitorsMu.Unlock()
	m, ok := gc.monitors[gvr]
	return ok && m.informer.HasSynced()
}

// cached returns the informer's copy of an object, if its resource is watched and has it.
func (gc *GarbageCollector) cached(gvr schema.GroupVersionResource, namespace, name string) (*metav1.PartialObjectMetadata, bool) {
	gc.monitorsMu.Lock()
	m, ok := gc.monitors[gvr]
	gc.monitorsMu.Unlock()
	if !ok {
		return nil, false
	}
	key := name
	if namespace != "" {
		key = namespace + "/" + name
	}
	obj, exists, err := m.informer.GetStore().GetByKey(key)
	if err != nil || !exists {
		return nil, false
	}
	o, ok := obj.(*metav1.PartialObjectMetadata)
	return o, ok
}
