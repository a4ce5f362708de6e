package server

import (
	"context"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsinformers "k8s.io/apiextensions-apiserver/pkg/client/informers/externalversions/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/tools/cache"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
	"k8s.io/kube-aggregator/pkg/controllers/autoregister"
)

// priority orders groups and versions in discovery as kube-apiserver does; groups it does not
// list (custom resources) get the priorities upstream gives CRDs.
type priority struct{ group, version int32 }

var priorities = map[schema.GroupVersion]priority{
	{Group: "", Version: "v1"}:                             {18000, 1},
	{Group: "apps", Version: "v1"}:                         {17800, 15},
	{Group: "events.k8s.io", Version: "v1"}:                {17750, 15},
	{Group: "authentication.k8s.io", Version: "v1"}:        {17700, 15},
	{Group: "authorization.k8s.io", Version: "v1"}:         {17600, 15},
	{Group: "autoscaling", Version: "v2"}:                  {17500, 30},
	{Group: "autoscaling", Version: "v1"}:                  {17500, 15},
	{Group: "batch", Version: "v1"}:                        {17400, 15},
	{Group: "certificates.k8s.io", Version: "v1"}:          {17300, 15},
	{Group: "networking.k8s.io", Version: "v1"}:            {17200, 15},
	{Group: "policy", Version: "v1"}:                       {17100, 15},
	{Group: "rbac.authorization.k8s.io", Version: "v1"}:    {17000, 15},
	{Group: "storage.k8s.io", Version: "v1"}:               {16800, 15},
	{Group: "apiextensions.k8s.io", Version: "v1"}:         {16700, 15},
	{Group: "admissionregistration.k8s.io", Version: "v1"}: {16700, 15},
	{Group: "scheduling.k8s.io", Version: "v1"}:            {16600, 15},
	{Group: "coordination.k8s.io", Version: "v1"}:          {16500, 15},
	{Group: "node.k8s.io", Version: "v1"}:                  {16300, 15},
	{Group: "discovery.k8s.io", Version: "v1"}:             {16200, 15},
	{Group: "apiregistration.k8s.io", Version: "v1"}:       {18000, 15},
}

func localAPIService(gv schema.GroupVersion) *apiregistrationv1.APIService {
	p, ok := priorities[gv]
	if !ok {
		p = priority{1000, 100} // what upstream's CRD registration gives custom resources
	}
	name := gv.Version + "." + gv.Group // "v1." for the core group, as upstream names it
	return &apiregistrationv1.APIService{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: apiregistrationv1.APIServiceSpec{
			Group:                gv.Group,
			Version:              gv.Version,
			GroupPriorityMinimum: p.group,
			VersionPriority:      p.version,
		},
	}
}

// localAPIServices returns the APIServices of every group version a delegate serves.
func localAPIServices(delegate genericapiserver.DelegationTarget) []*apiregistrationv1.APIService {
	var services []*apiregistrationv1.APIService
	for _, path := range delegate.ListedPaths() {
		switch {
		case path == "/api/v1":
			services = append(services, localAPIService(schema.GroupVersion{Version: "v1"}))
		case strings.HasPrefix(path, "/apis/"):
			parts := strings.Split(path, "/")
			if len(parts) == 4 {
				services = append(services, localAPIService(schema.GroupVersion{Group: parts[2], Version: parts[3]}))
			}
		}
	}
	return services
}

// crdRegistration keeps an APIService for every served version of every CRD, so that the
// aggregator's discovery lists custom resources. Each event recomputes the group versions it
// touches from the CRD lister, as upstream's crdregistration controller does.
type crdRegistration struct {
	informer     apiextensionsinformers.CustomResourceDefinitionInformer
	registration autoregister.AutoAPIServiceRegistration
	handler      cache.ResourceEventHandlerRegistration
	mu           sync.Mutex
}

func newCRDRegistration(informer apiextensionsinformers.CustomResourceDefinitionInformer, registration autoregister.AutoAPIServiceRegistration) (*crdRegistration, error) {
	c := &crdRegistration{informer: informer, registration: registration}
	var err error
	c.handler, err = informer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { c.sync(obj) },
		UpdateFunc: func(old, obj any) { c.sync(old, obj) },
		DeleteFunc: func(old any) { c.sync(old) },
	})
	return c, err
}

// sync registers or removes the APIServices of the group versions the given CRDs name.
func (c *crdRegistration) sync(objs ...any) {
	touched := sets.New[schema.GroupVersion]()
	for _, obj := range objs {
		if crd, ok := crdFrom(obj); ok {
			for _, v := range crd.Spec.Versions {
				touched.Insert(schema.GroupVersion{Group: crd.Spec.Group, Version: v.Name})
			}
		}
	}
	crds, err := c.informer.Lister().List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(err)
		return
	}
	served := sets.New[schema.GroupVersion]()
	for _, crd := range crds {
		for _, v := range crd.Spec.Versions {
			if v.Served {
				served.Insert(schema.GroupVersion{Group: crd.Spec.Group, Version: v.Name})
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for gv := range touched {
		if served.Has(gv) {
			c.registration.AddAPIServiceToSync(localAPIService(gv))
		} else {
			c.registration.RemoveAPIServiceToSync(localAPIService(gv).Name)
		}
	}
}

// WaitForInitialSync returns once the existing CRDs have been registered, so that the
// autoregister controller does not remove their APIServices as unwanted at start-up.
func (c *crdRegistration) WaitForInitialSync(ctx context.Context) bool {
	return cache.WaitForCacheSync(ctx.Done(), c.handler.HasSynced)
}

func crdFrom(obj any) (*apiextensionsv1.CustomResourceDefinition, bool) {
	if tombstone, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		obj = tombstone.Obj
	}
	crd, ok := obj.(*apiextensionsv1.CustomResourceDefinition)
	return crd, ok
}
