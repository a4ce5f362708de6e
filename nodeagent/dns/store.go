package dns

import (
	"fmt"
	"sort"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
)

// Index names of the store's indexers.
const (
	indexClusterIP = "clusterIP" // services by each of their ClusterIPs
	indexService   = "service"   // EndpointSlices by <namespace>/<service>
	indexAddress   = "address"   // EndpointSlices by each ready endpoint address
)

// store answers the DNS lookups from informer caches: Services, EndpointSlices and Namespaces.
type store struct {
	services, slices, namespaces cache.Indexer
	// hasSynced reports whether all three caches have been filled once.
	hasSynced func() bool
	clock     clock.PassiveClock
	// modified is the Unix time of the last change seen, CoreDNS's SOA serial.
	modified atomic.Int64
}

func serviceIndexers() cache.Indexers {
	return cache.Indexers{
		indexClusterIP: func(obj any) ([]string, error) {
			svc, ok := obj.(*corev1.Service)
			if !ok {
				return nil, fmt.Errorf("unexpected object %T", obj)
			}
			return serviceIPs(svc), nil
		},
	}
}

func sliceIndexers() cache.Indexers {
	return cache.Indexers{
		indexService: func(obj any) ([]string, error) {
			es, ok := obj.(*discoveryv1.EndpointSlice)
			if !ok {
				return nil, fmt.Errorf("unexpected object %T", obj)
			}
			name := es.Labels[discoveryv1.LabelServiceName]
			if name == "" {
				return nil, nil
			}
			return []string{es.Namespace + "/" + name}, nil
		},
		indexAddress: func(obj any) ([]string, error) {
			es, ok := obj.(*discoveryv1.EndpointSlice)
			if !ok {
				return nil, fmt.Errorf("unexpected object %T", obj)
			}
			var ips []string
			for _, ep := range readyEndpoints(es) {
				for _, a := range ep.Addresses {
					if ip := normalizeIP(a); ip != "" {
						ips = append(ips, ip)
					}
				}
			}
			return ips, nil
		},
	}
}

// serviceIPs are the service's ClusterIPs in canonical form (none for headless and
// ExternalName services).
func serviceIPs(svc *corev1.Service) []string {
	ips := svc.Spec.ClusterIPs
	if len(ips) == 0 && svc.Spec.ClusterIP != "" {
		ips = []string{svc.Spec.ClusterIP}
	}
	var out []string
	for _, ip := range ips {
		if n := normalizeIP(ip); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// readyEndpoints are the endpoints CoreDNS publishes: ready, or of unknown readiness.
func readyEndpoints(es *discoveryv1.EndpointSlice) []discoveryv1.Endpoint {
	var out []discoveryv1.Endpoint
	for _, ep := range es.Endpoints {
		if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
			out = append(out, ep)
		}
	}
	return out
}

func (s *store) touch() { s.modified.Store(s.clock.Now().Unix()) }

// serial is the SOA serial: the time of the last change.
func (s *store) serial() uint32 { return uint32(s.modified.Load()) }

func (s *store) synced() bool { return s.hasSynced == nil || s.hasSynced() }

func (s *store) namespaceExists(name string) bool {
	_, ok, _ := s.namespaces.GetByKey(name)
	return ok
}

func (s *store) service(namespace, name string) *corev1.Service {
	obj, ok, _ := s.services.GetByKey(namespace + "/" + name)
	if !ok {
		return nil
	}
	svc, _ := obj.(*corev1.Service)
	return svc
}

// endpointSlices are the service's slices, sorted by name so answers are stable.
func (s *store) endpointSlices(namespace, service string) []*discoveryv1.EndpointSlice {
	return sortedSlices(s.slices.ByIndex(indexService, namespace+"/"+service))
}

// servicesWithIP are the services that have ip (canonical) among their ClusterIPs.
func (s *store) servicesWithIP(ip string) []*corev1.Service {
	objs, _ := s.services.ByIndex(indexClusterIP, ip)
	var out []*corev1.Service
	for _, o := range objs {
		if svc, ok := o.(*corev1.Service); ok {
			out = append(out, svc)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace+"/"+out[i].Name < out[j].Namespace+"/"+out[j].Name
	})
	return out
}

// slicesWithIP are the slices with a ready endpoint at ip (canonical).
func (s *store) slicesWithIP(ip string) []*discoveryv1.EndpointSlice {
	return sortedSlices(s.slices.ByIndex(indexAddress, ip))
}

func sortedSlices(objs []any, _ error) []*discoveryv1.EndpointSlice {
	var out []*discoveryv1.EndpointSlice
	for _, o := range objs {
		if es, ok := o.(*discoveryv1.EndpointSlice); ok {
			out = append(out, es)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Namespace+"/"+out[i].Name < out[j].Namespace+"/"+out[j].Name
	})
	return out
}
