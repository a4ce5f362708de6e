package registry

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"

	"github.com/skiff-sh/skiff/apis/scheme"
)

// CreateUpdateDeleteStrategy is what a resource's main strategy implements.
type CreateUpdateDeleteStrategy interface {
	rest.RESTCreateStrategy
	rest.RESTUpdateStrategy
	rest.RESTDeleteStrategy
	rest.ResetFieldsStrategy
}

// Resource describes one standard resource for NewStore.
type Resource struct {
	// Resource is the plural group resource, e.g. {Group: "apps", Resource: "deployments"}.
	Resource schema.GroupResource
	// Singular is the singular name, e.g. "deployment".
	Singular string
	New      func() runtime.Object
	NewList  func() runtime.Object
	Strategy CreateUpdateDeleteStrategy
	// SelectableFields returns the field selector values of obj beyond metadata.name and
	// metadata.namespace, which every resource has; nil when there are none.
	SelectableFields func(obj runtime.Object) fields.Set
	// Table renders `kubectl get`; nil gives the default Name/Created columns.
	Table rest.TableConvertor
	// ShortNames and Categories are reported in discovery.
	ShortNames []string
	Categories []string
}

// Store is a resource's generic store with the discovery details it reports.
type Store struct {
	*genericregistry.Store
	shortNames []string
	categories []string
}

// ShortNames implements rest.ShortNamesProvider.
func (s *Store) ShortNames() []string { return s.shortNames }

// Categories implements rest.CategoriesProvider.
func (s *Store) Categories() []string { return s.categories }

var (
	_ rest.ShortNamesProvider = &Store{}
	_ rest.CategoriesProvider = &Store{}
)

// NewStore builds the etcd-backed store of r.
func NewStore(optsGetter generic.RESTOptionsGetter, r Resource) (*Store, error) {
	table := r.Table
	if table == nil {
		table = rest.NewDefaultTableConvertor(r.Resource)
	}
	attrs := AttrFunc(r.Strategy.NamespaceScoped(), r.SelectableFields)
	store := &genericregistry.Store{
		NewFunc:                   r.New,
		NewListFunc:               r.NewList,
		DefaultQualifiedResource:  r.Resource,
		SingularQualifiedResource: schema.GroupResource{Group: r.Resource.Group, Resource: r.Singular},
		PredicateFunc: func(label labels.Selector, field fields.Selector) storage.SelectionPredicate {
			return storage.SelectionPredicate{Label: label, Field: field, GetAttrs: attrs}
		},
		CreateStrategy:      r.Strategy,
		UpdateStrategy:      r.Strategy,
		DeleteStrategy:      r.Strategy,
		ResetFieldsStrategy: r.Strategy,
		TableConvertor:      table,
	}
	if err := registerFieldLabels(r, attrs); err != nil {
		return nil, err
	}
	options := &generic.StoreOptions{RESTOptions: optsGetter, AttrFunc: attrs}
	if err := store.CompleteWithOptions(options); err != nil {
		return nil, fmt.Errorf("completing the %s store: %w", r.Resource, err)
	}
	return &Store{Store: store, shortNames: r.ShortNames, categories: r.Categories}, nil
}

// registerFieldLabels lets the scheme accept the field selectors of r in every served version
// of its kind; the keys are those AttrFunc yields for an empty object.
func registerFieldLabels(r Resource, attrs storage.AttrFunc) error {
	_, set, err := attrs(r.New())
	if err != nil {
		return err
	}
	kinds, _, err := scheme.Scheme.ObjectKinds(r.New())
	if err != nil {
		return err
	}
	for _, gvk := range kinds {
		if gvk.Version == runtime.APIVersionInternal {
			continue
		}
		err := scheme.Scheme.AddFieldLabelConversionFunc(gvk, func(label, value string) (string, string, error) {
			if _, ok := set[label]; ok {
				return label, value, nil
			}
			return "", "", fmt.Errorf("field label not supported: %s", label)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// AttrFunc returns the labels and field selector values of objects of a resource.
func AttrFunc(namespaced bool, selectable func(runtime.Object) fields.Set) storage.AttrFunc {
	return func(obj runtime.Object) (labels.Set, fields.Set, error) {
		accessor, err := meta.Accessor(obj)
		if err != nil {
			return nil, nil, err
		}
		set := fields.Set{"metadata.name": accessor.GetName()}
		if namespaced {
			set["metadata.namespace"] = accessor.GetNamespace()
		}
		if selectable != nil {
			for k, v := range selectable(obj) {
				set[k] = v
			}
		}
		return labels.Set(accessor.GetLabels()), set, nil
	}
}
