package resourcequota

import (
	"context"
	"fmt"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/skiff-sh/skiff/controllers/resourcequota/evaluator"
)

// ignored are the resources upstream never counts.
var ignored = map[schema.GroupResource]bool{
	{Resource: "bindings"}:                                                 true,
	{Resource: "componentstatuses"}:                                        true,
	{Group: "authentication.k8s.io", Resource: "tokenreviews"}:             true,
	{Group: "authentication.k8s.io", Resource: "selfsubjectreviews"}:       true,
	{Group: "authorization.k8s.io", Resource: "subjectaccessreviews"}:      true,
	{Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews"}:  true,
	{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"}: true,
	{Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews"}:   true,
	{Resource: "events"}:                         true,
	{Group: "events.k8s.io", Resource: "events"}: true,
}

// legacyCounts are the kinds counted under a plain name besides count/<resource>.
var legacyCounts = map[string]corev1.ResourceName{
	"configmaps":             corev1.ResourceConfigMaps,
	"secrets":                corev1.ResourceSecrets,
	"replicationcontrollers": corev1.ResourceReplicationControllers,
	"resourcequotas":         corev1.ResourceQuotas,
}

// monitor holds the evaluators and starts, on first need, the watches that recount quotas
// when what they count changes. Upstream watches every resource of the cluster from the
// start; skiff watches only the kinds some quota limits.
type monitor struct {
	cache    cache.Cache
	mapper   meta.RESTMapper
	registry quota.Registry
	// handler returns the event handler of a counted kind.
	handler func(quota.Evaluator) handler.EventHandler
	// controller receives the watches; set once built.
	controller controller.Controller

	mu sync.Mutex
	// objects are the watch objects of the evaluators' resources.
	objects map[schema.GroupResource]client.Object
	watched map[schema.GroupResource]bool
}

func newMonitor(c cache.Cache, mapper meta.RESTMapper, clk clock.PassiveClock, h func(quota.Evaluator) handler.EventHandler) *monitor {
	m := &monitor{cache: c, mapper: mapper, handler: h,
		objects: map[schema.GroupResource]client.Object{}, watched: map[schema.GroupResource]bool{}}
	evaluators := []quota.Evaluator{
		evaluator.NewPodEvaluator(m.typedList(&corev1.PodList{}), clk),
		evaluator.NewServiceEvaluator(m.typedList(&corev1.ServiceList{})),
		evaluator.NewPVCEvaluator(m.typedList(&corev1.PersistentVolumeClaimList{})),
	}
	m.objects[corev1.Resource("pods")] = &corev1.Pod{}
	m.objects[corev1.Resource("services")] = &corev1.Service{}
	m.objects[corev1.Resource("persistentvolumeclaims")] = &corev1.PersistentVolumeClaim{}
	for resource, alias := range legacyCounts {
		gr := corev1.Resource(resource)
		gvk := corev1.SchemeGroupVersion.WithKind(kindOf(resource))
		evaluators = append(evaluators, generic.NewObjectCountEvaluator(gr, m.metadataList(gvk), alias))
		m.objects[gr] = metadataObject(gvk)
	}
	m.registry = generic.NewRegistry(evaluators)
	return m
}

func kindOf(resource string) string {
	return map[string]string{
		"configmaps": "ConfigMap", "secrets": "Secret",
		"replicationcontrollers": "ReplicationController", "resourcequotas": "ResourceQuota",
	}[resource]
}

func metadataObject(gvk schema.GroupVersionKind) *metav1.PartialObjectMetadata {
	obj := &metav1.PartialObjectMetadata{}
	obj.SetGroupVersionKind(gvk)
	return obj
}

// ensure makes sure every resource named in hard has an evaluator and is watched, creating
// object count evaluators for count/<resource>.<group> names of other kinds; it waits until
// the caches it started are filled.
func (m *monitor) ensure(ctx context.Context, hard []corev1.ResourceName) error {
	for _, name := range hard {
		ev := m.evaluatorFor(name)
		if ev == nil {
			var err error
			if ev, err = m.addCountEvaluator(name); err != nil {
				return err
			}
			if ev == nil {
				continue // not a resource of this cluster: not counted
			}
		}
		if err := m.watch(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

func (m *monitor) evaluatorFor(name corev1.ResourceName) quota.Evaluator {
	for _, ev := range m.registry.List() {
		if len(ev.MatchingResources([]corev1.ResourceName{name})) > 0 {
			return ev
		}
	}
	return nil
}

// countedResource parses count/<resource>[.<group>].
func countedResource(name corev1.ResourceName) (schema.GroupResource, bool) {
	rest, ok := strings.CutPrefix(string(name), "count/")
	if !ok || rest == "" {
		return schema.GroupResource{}, false
	}
	resource, group, _ := strings.Cut(rest, ".")
	return schema.GroupResource{Group: group, Resource: resource}, true
}

// addCountEvaluator adds the object count evaluator of a count/ name, or returns nil when the
// name counts no resource the cluster serves.
func (m *monitor) addCountEvaluator(name corev1.ResourceName) (quota.Evaluator, error) {
	gr, ok := countedResource(name)
	if !ok || ignored[gr] {
		return nil, nil
	}
	gvk, err := m.mapper.KindFor(gr.WithVersion(""))
	if meta.IsNoMatchError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("finding the kind of %s: %w", gr, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if ev := m.registry.Get(gr); ev != nil {
		return ev, nil
	}
	ev := generic.NewObjectCountEvaluator(gr, m.metadataList(gvk), "")
	m.objects[gr] = metadataObject(gvk)
	m.registry.Add(ev)
	return ev, nil
}

// watch starts the watch of the evaluator's resource once, then waits for its cache.
func (m *monitor) watch(ctx context.Context, ev quota.Evaluator) error {
	gr := ev.GroupResource()
	m.mu.Lock()
	obj := m.objects[gr]
	if obj == nil {
		m.mu.Unlock()
		return fmt.Errorf("no watch object for %s", gr)
	}
	if !m.watched[gr] {
		src := source.Kind(m.cache, obj.DeepCopyObject().(client.Object), m.handler(ev))
		if err := m.controller.Watch(src); err != nil {
			m.mu.Unlock()
			return fmt.Errorf("watching %s: %w", gr, err)
		}
		m.watched[gr] = true
		log.FromContext(ctx).V(2).Info("QuotaMonitor watching resource", "resource", gr.String())
	}
	m.mu.Unlock()
	if _, err := m.cache.GetInformer(ctx, obj.DeepCopyObject().(client.Object)); err != nil {
		return fmt.Errorf("waiting for the cache of %s: %w", gr, err)
	}
	return nil
}

// typedList lists a namespace's objects of list's kind from the cache. The evaluators only
// read them, so the cache's copies are shared: a recount does not copy every pod of a
// namespace.
func (m *monitor) typedList(list client.ObjectList) generic.ListFuncByNamespace {
	return func(namespace string) ([]runtime.Object, error) {
		l := list.DeepCopyObject().(client.ObjectList)
		if err := m.cache.List(context.Background(), l, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		return meta.ExtractList(l)
	}
}

// metadataList lists a namespace's objects of gvk, metadata only, from the cache.
func (m *monitor) metadataList(gvk schema.GroupVersionKind) generic.ListFuncByNamespace {
	return func(namespace string) ([]runtime.Object, error) {
		l := &metav1.PartialObjectMetadataList{}
		l.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := m.cache.List(context.Background(), l, client.InNamespace(namespace), client.UnsafeDisableDeepCopy); err != nil {
			return nil, err
		}
		return meta.ExtractList(l)
	}
}
