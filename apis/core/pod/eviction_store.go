package pod

import (
	"context"
	"fmt"

	policyv1 "k8s.io/api/policy/v1"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/policy/poddisruptionbudget"
	"github.com/skiff-sh/skiff/apis/registry"
)

// budgetStore is the eviction subresource's access to PodDisruptionBudgets. Upstream reads and
// writes them through a loopback client; skiff's stores have no loopback config at hand, so
// this is a second store of the resource, with the policy group's strategies, that reads
// etcd directly (no watch cache of its own: evictions are rare and want current budgets).
type budgetStore struct {
	store  *registry.Store
	status *registry.StatusREST
}

func newBudgetStore(optsGetter generic.RESTOptionsGetter) (*budgetStore, error) {
	resources, err := poddisruptionbudget.NewStorage(uncachedOptions{optsGetter})
	if err != nil {
		return nil, fmt.Errorf("poddisruptionbudgets storage for evictions: %w", err)
	}
	store, ok := resources["poddisruptionbudgets"].(*registry.Store)
	if !ok {
		return nil, fmt.Errorf("poddisruptionbudgets storage is %T", resources["poddisruptionbudgets"])
	}
	status, ok := resources["poddisruptionbudgets/status"].(*registry.StatusREST)
	if !ok {
		return nil, fmt.Errorf("poddisruptionbudgets/status storage is %T", resources["poddisruptionbudgets/status"])
	}
	return &budgetStore{store: store, status: status}, nil
}

// uncachedOptions hands out the storage options without the watch cache and count metrics.
type uncachedOptions struct {
	generic.RESTOptionsGetter
}

func (o uncachedOptions) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	opts, err := o.RESTOptionsGetter.GetRESTOptions(resource, example)
	if err != nil {
		return opts, err
	}
	opts.Decorator = generic.UndecoratedStorage
	opts.CountMetricPollPeriod = 0
	return opts, nil
}

func (b *budgetStore) destroy() {
	if b.store.DestroyFunc != nil {
		b.store.DestroyFunc()
	}
}

// matching returns the budgets of namespace whose selector matches podLabels; budgets with an
// invalid selector match nothing and an empty selector matches every pod, as upstream.
func (b *budgetStore) matching(ctx context.Context, namespace string, podLabels map[string]string) ([]policyv1.PodDisruptionBudget, error) {
	obj, err := b.store.List(budgetContext(ctx, "list", namespace, "", ""), &metainternalversion.ListOptions{})
	if err != nil {
		return nil, err
	}
	var out []policyv1.PodDisruptionBudget
	for _, pdb := range obj.(*policyv1.PodDisruptionBudgetList).Items {
		selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil || !selector.Matches(labels.Set(podLabels)) {
			continue
		}
		out = append(out, pdb)
	}
	return out, nil
}

func (b *budgetStore) get(ctx context.Context, namespace, name string) (*policyv1.PodDisruptionBudget, error) {
	obj, err := b.store.Get(budgetContext(ctx, "get", namespace, name, ""), name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return obj.(*policyv1.PodDisruptionBudget), nil
}

// updateStatus writes pdb's status, conditional on its resourceVersion.
func (b *budgetStore) updateStatus(ctx context.Context, pdb *policyv1.PodDisruptionBudget) error {
	_, _, err := b.status.Update(budgetContext(ctx, "update", pdb.Namespace, pdb.Name, "status"), pdb.Name, rest.DefaultUpdatedObjectInfo(pdb),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	return err
}

// budgetContext makes ctx, which describes the eviction request, describe a request for
// PodDisruptionBudgets instead: the stores and their validation read it.
func budgetContext(ctx context.Context, verb, namespace, name, subresource string) context.Context {
	ctx = genericapirequest.WithNamespace(ctx, namespace)
	return genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Verb:              verb,
		APIPrefix:         "apis",
		APIGroup:          policyv1.GroupName,
		APIVersion:        "v1",
		Namespace:         namespace,
		Resource:          "poddisruptionbudgets",
		Subresource:       subresource,
		Name:              name,
	})
}
