package namespace

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage"
	storeerr "k8s.io/apiserver/pkg/storage/errors"
	"k8s.io/apiserver/pkg/util/dryrun"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the namespaces resource and its status and finalize subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("namespaces"),
		Singular: "namespace",
		New:      func() runtime.Object { return &corev1.Namespace{} },
		NewList:  func() runtime.Object { return &corev1.NamespaceList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"status.phase": string(obj.(*corev1.Namespace).Status.Phase)}
		},
		ShortNames: []string{"ns"},
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "Status", Type: "string", Description: "The status of the namespace"},
				registry.AgeColumn,
			},
			Row: func(obj runtime.Object) ([]any, error) {
				ns := obj.(*corev1.Namespace)
				return []any{string(ns.Status.Phase), registry.AgeOf(ns)}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	store.ReturnDeletedObject = true
	store.ShouldDeleteDuringUpdate = func(ctx context.Context, key string, obj, existing runtime.Object) bool {
		return len(obj.(*corev1.Namespace).Spec.Finalizers) == 0 && genericregistry.ShouldDeleteDuringUpdate(ctx, key, obj, existing)
	}
	finalize := *store.Store
	finalize.UpdateStrategy = FinalizeStrategy
	finalize.ResetFieldsStrategy = FinalizeStrategy
	return registry.Resources{
		"namespaces":          &REST{store: store},
		"namespaces/status":   registry.NewStatusREST(store, StatusStrategy),
		"namespaces/finalize": &FinalizeREST{store: &finalize},
	}, nil
}

// REST serves namespaces. It wraps the store rather than embedding it so that it offers no
// deletecollection, and deletion goes through Terminating as upstream.
type REST struct {
	store *registry.Store
}

var (
	_ rest.Creater                = &REST{}
	_ rest.Updater                = &REST{}
	_ rest.Getter                 = &REST{}
	_ rest.Lister                 = &REST{}
	_ rest.Watcher                = &REST{}
	_ rest.GracefulDeleter        = &REST{}
	_ rest.ShortNamesProvider     = &REST{}
	_ rest.SingularNameProvider   = &REST{}
	_ rest.ResetFieldsStrategy    = &REST{}
	_ rest.StorageWithReadiness   = &REST{}
	_ rest.StorageVersionProvider = &REST{}
)

func (r *REST) New() runtime.Object                    { return r.store.New() }
func (r *REST) NewList() runtime.Object                { return r.store.NewList() }
func (r *REST) Destroy()                               { r.store.Destroy() }
func (r *REST) NamespaceScoped() bool                  { return false }
func (r *REST) GetSingularName() string                { return r.store.GetSingularName() }
func (r *REST) ShortNames() []string                   { return r.store.ShortNames() }
func (r *REST) ReadinessCheck() error                  { return r.store.ReadinessCheck() }
func (r *REST) StorageVersion() runtime.GroupVersioner { return r.store.StorageVersion() }
func (r *REST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}

func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	return r.store.Create(ctx, obj, createValidation, options)
}

func (r *REST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, forceAllowCreate, options)
}

func (r *REST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	return r.store.Get(ctx, name, options)
}

func (r *REST) List(ctx context.Context, options *metainternalversion.ListOptions) (runtime.Object, error) {
	return r.store.List(ctx, options)
}

func (r *REST) Watch(ctx context.Context, options *metainternalversion.ListOptions) (watch.Interface, error) {
	return r.store.Watch(ctx, options)
}

func (r *REST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return r.store.ConvertToTable(ctx, object, tableOptions)
}

// Delete moves a namespace to Terminating on the first request; the namespace is removed
// only once its spec.finalizers are empty.
func (r *REST) Delete(ctx context.Context, name string, deleteValidation rest.ValidateObjectFunc, options *metav1.DeleteOptions) (runtime.Object, bool, error) {
	obj, err := r.store.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, false, err
	}
	ns := obj.(*corev1.Namespace)
	if options == nil {
		options = metav1.NewDeleteOptions(0)
	}
	if options.Preconditions == nil {
		options.Preconditions = &metav1.Preconditions{}
	}
	resource := corev1.Resource("namespaces")
	if options.Preconditions.UID == nil {
		options.Preconditions.UID = &ns.UID
	} else if *options.Preconditions.UID != ns.UID {
		return nil, false, apierrors.NewConflict(resource, name,
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", *options.Preconditions.UID, ns.UID))
	}
	if rv := options.Preconditions.ResourceVersion; rv != nil && *rv != ns.ResourceVersion {
		return nil, false, apierrors.NewConflict(resource, name,
			fmt.Errorf("Precondition failed: ResourceVersion in precondition: %v, ResourceVersion in object meta: %v", *rv, ns.ResourceVersion))
	}

	if ns.DeletionTimestamp.IsZero() {
		key, err := r.store.KeyFunc(ctx, name)
		if err != nil {
			return nil, false, err
		}
		preconditions := storage.Preconditions{UID: options.Preconditions.UID, ResourceVersion: options.Preconditions.ResourceVersion}
		out := r.store.NewFunc()
		err = r.store.Storage.GuaranteedUpdate(ctx, key, out, false, &preconditions,
			storage.SimpleUpdate(func(existing runtime.Object) (runtime.Object, error) {
				ns := existing.(*corev1.Namespace)
				if err := deleteValidation(ctx, ns); err != nil {
					return nil, err
				}
				if ns.DeletionTimestamp.IsZero() {
					now := metav1.Now()
					ns.DeletionTimestamp = &now
				}
				ns.Status.Phase = corev1.NamespaceTerminating
				ns.Finalizers = dependentFinalizers(ns.Finalizers, options)
				return ns, nil
			}),
			dryrun.IsDryRun(options.DryRun), nil)
		if err != nil {
			err = storeerr.InterpretGetError(err, resource, name)
			err = storeerr.InterpretUpdateError(err, resource, name)
			if _, ok := err.(*apierrors.StatusError); !ok {
				err = apierrors.NewInternalError(err)
			}
			return nil, false, err
		}
		return out, false, nil
	}

	// Already terminating: only a namespace with no spec.finalizers left goes away.
	if len(ns.Spec.Finalizers) != 0 {
		return ns, false, nil
	}
	return r.store.Delete(ctx, name, deleteValidation, options)
}

// dependentFinalizers adds or removes the orphan and foreground-deletion finalizers the
// delete options ask for, as the garbage collector expects.
func dependentFinalizers(current []string, options *metav1.DeleteOptions) []string {
	has := map[string]bool{}
	for _, f := range current {
		has[f] = true
	}
	orphan, foreground := has[metav1.FinalizerOrphanDependents], has[metav1.FinalizerDeleteDependents]
	//nolint:staticcheck // OrphanDependents is deprecated but still honoured
	if options.OrphanDependents != nil {
		orphan, foreground = *options.OrphanDependents, !*options.OrphanDependents //nolint:staticcheck
	} else if options.PropagationPolicy != nil {
		orphan = *options.PropagationPolicy == metav1.DeletePropagationOrphan
		foreground = *options.PropagationPolicy == metav1.DeletePropagationForeground
	}
	if orphan == has[metav1.FinalizerOrphanDependents] && foreground == has[metav1.FinalizerDeleteDependents] {
		return current
	}
	var out []string
	for _, f := range current {
		if f != metav1.FinalizerOrphanDependents && f != metav1.FinalizerDeleteDependents {
			out = append(out, f)
		}
	}
	if orphan {
		out = append(out, metav1.FinalizerOrphanDependents)
	}
	if foreground {
		out = append(out, metav1.FinalizerDeleteDependents)
	}
	if out == nil {
		out = []string{}
	}
	return out
}

// FinalizeREST serves namespaces/finalize, through which the namespace controller empties
// spec.finalizers. Like upstream it takes only PUT.
type FinalizeREST struct {
	store *genericregistry.Store
}

var (
	_ rest.Updater             = &FinalizeREST{}
	_ rest.ResetFieldsStrategy = &FinalizeREST{}
)

func (r *FinalizeREST) New() runtime.Object { return r.store.New() }
func (r *FinalizeREST) Destroy()            {}

// Update writes the spec (finalizers) of a namespace; it never creates.
func (r *FinalizeREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, _ bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	return r.store.Update(ctx, name, objInfo, createValidation, updateValidation, false, options)
}

func (r *FinalizeREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return r.store.GetResetFields()
}
