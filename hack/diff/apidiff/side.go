package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// side is one of the two servers being compared.
type side struct {
	name     string
	host     string
	dyn      dynamic.Interface
	mapper   meta.ResettableRESTMapper
	warnings *warningCollector
}

type warningCollector struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningCollector) HandleWarningHeader(code int, agent, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningCollector) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	m := w.msgs
	w.msgs = nil
	return m
}

func newSide(name, kubeconfig string) (*side, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("%s: loading kubeconfig %s: %w", name, kubeconfig, err)
	}
	w := &warningCollector{}
	cfg.WarningHandler = w
	cfg.UserAgent = "apidiff"
	cfg.QPS, cfg.Burst = 100, 200
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := dc.ServerVersion(); err != nil {
		return nil, fmt.Errorf("%s: reaching %s: %w", name, cfg.Host, err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	host := cfg.Host
	if u, err := url.Parse(cfg.Host); err == nil && u.Host != "" {
		host = u.Host
	}
	return &side{name: name, host: host, dyn: dyn, warnings: w,
		mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}, nil
}

// result is what one server answered for one case.
type result struct {
	code     int            // HTTP status code: 201 for a successful create, 200 for an update
	object   map[string]any // normalised response body on success
	status   *metav1.Status // the error's Status on failure
	err      string         // error text when no Status came back
	warnings []string
}

func (r *result) ok() bool { return r.object != nil }

func (s *side) resource(u *unstructured.Unstructured, ns string) (dynamic.ResourceInterface, error) {
	gvk := u.GroupVersionKind()
	m, err := s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		u.SetNamespace(ns)
		return s.dyn.Resource(m.Resource).Namespace(ns), nil
	}
	return s.dyn.Resource(m.Resource), nil
}

// kubectl create --dry-run=server sends exactly these options.
var dryRunCreate = metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "kubectl-create",
	FieldValidation: "Strict"}

var dryRunUpdate = metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: "kubectl-replace",
	FieldValidation: "Strict"}

// run executes one case against this side: setup objects for real, then the dry-run request, then
// deletion of the setup objects.
func (s *side) run(ctx context.Context, c *testCase, ns string) (*result, error) {
	var created []dynamic.ResourceInterface
	var createdNames []string
	defer func() {
		for i, ri := range created {
			_ = ri.Delete(ctx, createdNames[i], metav1.DeleteOptions{})
			waitGone(ctx, ri, createdNames[i])
		}
	}()
	for _, su := range c.setup {
		su = su.DeepCopy()
		ri, err := s.resource(su, ns)
		if err != nil {
			return &result{err: "setup: " + err.Error()}, nil
		}
		if _, err := ri.Create(ctx, su, metav1.CreateOptions{}); err != nil {
			return &result{err: "setup: " + err.Error()}, nil
		}
		created = append(created, ri)
		createdNames = append(createdNames, su.GetName())
	}

	u := c.object.DeepCopy()
	ri, err := s.resource(u, ns)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return &result{code: 404, err: "not served: " + err.Error()}, nil
		}
		return nil, fmt.Errorf("%s: mapping %s: %w", s.name, u.GroupVersionKind(), err)
	}
	s.warnings.take()
	var out *unstructured.Unstructured
	code := 201
	if c.update {
		code = 200
		live, gerr := ri.Get(ctx, u.GetName(), metav1.GetOptions{})
		if gerr != nil {
			return &result{err: "get for update: " + gerr.Error()}, nil
		}
		u.SetResourceVersion(live.GetResourceVersion())
		out, err = ri.Update(ctx, u, dryRunUpdate)
	} else {
		out, err = ri.Create(ctx, u, dryRunCreate)
	}
	r := &result{warnings: s.warnings.take()}
	if err != nil {
		var se apierrors.APIStatus
		if errors.As(err, &se) {
			st := se.Status()
			r.status = &st
			r.code = int(st.Code)
		} else {
			r.err = err.Error()
		}
		return r, nil
	}
	r.code = code
	// Round-trip through JSON so numbers are float64 as in any decoded response.
	b, err := json.Marshal(out.Object)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &r.object); err != nil {
		return nil, err
	}
	normalize(r.object, c.object.Object)
	return r, nil
}

func waitGone(ctx context.Context, ri dynamic.ResourceInterface, name string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := ri.Get(ctx, name, metav1.GetOptions{}); apierrors.IsNotFound(err) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var serviceAccountGVR = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
var namespaceGVR = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// ensureNamespace creates the run's namespace and its default ServiceAccount (Pods need it to pass
// ServiceAccount admission when no controller creates it); both may already exist.
func (s *side) ensureNamespace(ctx context.Context, ns string) error {
	nsObj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ns}}}
	if _, err := s.dyn.Resource(namespaceGVR).Create(ctx, nsObj, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%s: creating namespace %s: %w", s.name, ns, err)
	}
	sa := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": map[string]any{"name": "default"}}}
	if _, err := s.dyn.Resource(serviceAccountGVR).Namespace(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("%s: creating default ServiceAccount in %s: %w", s.name, ns, err)
	}
	return nil
}

func (s *side) deleteNamespace(ctx context.Context, ns string) {
	_ = s.dyn.Resource(serviceAccountGVR).Namespace(ns).Delete(ctx, "default", metav1.DeleteOptions{})
	_ = s.dyn.Resource(namespaceGVR).Delete(ctx, ns, metav1.DeleteOptions{})
}
