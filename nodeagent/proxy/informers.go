package proxy

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	discovery "k8s.io/api/discovery/v1"
	networking "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// sources are the informers a Proxier reads, filtered as kube-proxy's are.
type sources struct {
	client    kubernetes.Interface
	onChange  func()
	factories []informers.SharedInformerFactory
	services  cache.Indexer
	slices    cache.Indexer
	// cidrs are the ServiceCIDRs, nil where the server has none.
	cidrs cache.Indexer
	// node is this node (for its zone), nil without a NodeName.
	node   cache.Indexer
	synced []cache.InformerSynced
}

// newSources builds informers for Services (not headless, not of another proxy),
// EndpointSlices (not of headless Services) and this node; every change calls onChange.
// The factories must be started.
func newSources(client kubernetes.Interface, nodeName string, onChange func()) (*sources, error) {
	noProxyName, err := labels.NewRequirement(labelServiceProxyName, selection.DoesNotExist, nil)
	if err != nil {
		return nil, err
	}
	noHeadless, err := labels.NewRequirement(v1.IsHeadlessService, selection.DoesNotExist, nil)
	if err != nil {
		return nil, err
	}
	strip := informers.WithTransform(stripManagedFields)
	svcFactory := informers.NewSharedInformerFactoryWithOptions(client, 0, strip,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = labels.NewSelector().Add(*noProxyName).String()
			o.FieldSelector = fields.OneTermNotEqualSelector("spec.clusterIP", v1.ClusterIPNone).String()
		}))
	sliceFactory := informers.NewSharedInformerFactoryWithOptions(client, 0, strip,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.LabelSelector = labels.NewSelector().Add(*noHeadless).String()
		}))
	infs := []cache.SharedIndexInformer{
		svcFactory.Core().V1().Services().Informer(),
		sliceFactory.Discovery().V1().EndpointSlices().Informer(),
	}
	s := &sources{
		client:    client,
		onChange:  onChange,
		factories: []informers.SharedInformerFactory{svcFactory, sliceFactory},
		services:  infs[0].GetIndexer(),
		slices:    infs[1].GetIndexer(),
	}
	if nodeName != "" {
		nodeFactory := informers.NewSharedInformerFactoryWithOptions(client, 0, strip,
			informers.WithTweakListOptions(func(o *metav1.ListOptions) {
				o.FieldSelector = fields.OneTermEqualSelector("metadata.name", nodeName).String()
			}))
		nodeInf := nodeFactory.Core().V1().Nodes().Informer()
		s.factories = append(s.factories, nodeFactory)
		s.node = nodeInf.GetIndexer()
		infs = append(infs, nodeInf)
	}
	for _, inf := range infs {
		if err := s.watch(inf); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *sources) watch(inf cache.SharedIndexInformer) error {
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.onChange() },
		UpdateFunc: func(any, any) { s.onChange() },
		DeleteFunc: func(any) { s.onChange() },
	}); err != nil {
		return fmt.Errorf("adding event handler: %w", err)
	}
	s.synced = append(s.synced, inf.HasSynced)
	return nil
}

// watchServiceCIDRs adds the ServiceCIDR informer if the server serves ServiceCIDRs; call
// it before starting the factories.
func (s *sources) watchServiceCIDRs() (bool, error) {
	resources, err := s.client.Discovery().ServerResourcesForGroupVersion(networking.SchemeGroupVersion.String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("discovering ServiceCIDRs: %w", err)
	}
	for _, r := range resources.APIResources {
		if r.Name == "servicecidrs" {
			factory := informers.NewSharedInformerFactoryWithOptions(s.client, 0, informers.WithTransform(stripManagedFields))
			inf := factory.Networking().V1().ServiceCIDRs().Informer()
			s.factories = append(s.factories, factory)
			s.cidrs = inf.GetIndexer()
			return true, s.watch(inf)
		}
	}
	return false, nil
}

// snapshot reads the caches.
func (s *sources) snapshot() *snapshot {
	snap := &snapshot{}
	for _, o := range s.services.List() {
		snap.services = append(snap.services, o.(*v1.Service))
	}
	for _, o := range s.slices.List() {
		snap.endpointSlices = append(snap.endpointSlices, o.(*discovery.EndpointSlice))
	}
	if s.cidrs != nil {
		for _, o := range s.cidrs.List() {
			snap.serviceCIDRs = append(snap.serviceCIDRs, o.(*networking.ServiceCIDR).Spec.CIDRs...)
		}
	}
	if s.node != nil {
		for _, o := range s.node.List() {
			snap.zone = o.(*v1.Node).Labels[v1.LabelTopologyZone]
		}
	}
	return snap
}

// stripManagedFields drops managedFields from cached objects: the proxy never reads them.
func stripManagedFields(obj any) (any, error) {
	if m, err := meta.Accessor(obj); err == nil {
		m.SetManagedFields(nil)
	}
	return obj, nil
}
