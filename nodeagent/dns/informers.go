package dns

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

// newInformerStore builds a store over shared informers for Services, EndpointSlices and
// Namespaces; the factory must be started.
func newInformerStore(client kubernetes.Interface, clk clock.PassiveClock) (*store, informers.SharedInformerFactory, error) {
	factory := informers.NewSharedInformerFactoryWithOptions(client, 0,
		informers.WithTransform(stripManagedFields))
	svcInf := factory.Core().V1().Services().Informer()
	sliceInf := factory.Discovery().V1().EndpointSlices().Informer()
	nsInf := factory.Core().V1().Namespaces().Informer()
	if err := svcInf.AddIndexers(serviceIndexers()); err != nil {
		return nil, nil, fmt.Errorf("adding service indexers: %w", err)
	}
	if err := sliceInf.AddIndexers(sliceIndexers()); err != nil {
		return nil, nil, fmt.Errorf("adding EndpointSlice indexers: %w", err)
	}
	s := &store{
		services:   svcInf.GetIndexer(),
		slices:     sliceInf.GetIndexer(),
		namespaces: nsInf.GetIndexer(),
		clock:      clk,
		hasSynced: func() bool {
			return svcInf.HasSynced() && sliceInf.HasSynced() && nsInf.HasSynced()
		},
	}
	s.touch()
	touch := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.touch() },
		UpdateFunc: func(any, any) { s.touch() },
		DeleteFunc: func(any) { s.touch() },
	}
	for _, inf := range []cache.SharedIndexInformer{svcInf, sliceInf, nsInf} {
		if _, err := inf.AddEventHandler(touch); err != nil {
			return nil, nil, fmt.Errorf("adding event handler: %w", err)
		}
	}
	return s, factory, nil
}

// stripManagedFields drops managedFields from cached objects: DNS never reads them.
func stripManagedFields(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
	}
	return obj, nil
}
