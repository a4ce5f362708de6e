package registry

import (
	"context"
	"fmt"
	"slices"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Scalable tells ScaleREST how to read and write the replicas of one kind.
type Scalable struct {
	// Replicas returns spec.replicas, status.replicas and the label selector (as a string) of obj.
	Replicas func(obj runtime.Object) (spec, status int32, selector string, err error)
	// SetReplicas sets spec.replicas of obj.
	SetReplicas func(obj runtime.Object, replicas int32)
	// Versions are the served versions of the parent resource, for reset fields.
	Versions []string
}

// ScaleREST serves the scale subresource (autoscaling/v1 Scale) of a resource.
type ScaleREST struct {
	store    *Store
	scalable Scalable
}

var (
	_ rest.Patcher                  = &ScaleREST{}
	_ rest.GroupVersionKindProvider = &ScaleREST{}
	_ rest.ResetFieldsStrategy      = &ScaleREST{}
)

// NewScaleREST returns the scale subresource of store.
func NewScaleREST(store *Store, scalable Scalable) *ScaleREST {
	return &ScaleREST{store: store, scalable: scalable}
}

// GroupVersionKind says the subresource speaks autoscaling/v1 Scale whatever the parent's group.
func (r *ScaleREST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind {
	return autoscalingv1.SchemeGroupVersion.WithKind("Scale")
}

// New returns an empty Scale.
func (r *ScaleREST) New() runtime.Object { return &autoscalingv1.Scale{} }

// Destroy does nothing: the main store owns the storage.
func (r *ScaleREST) Destroy() {}

// GetResetFields: writes to scale change only spec.replicas.
func (r *ScaleREST) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	set := map[fieldpath.APIVersion]*fieldpath.Set{}
	for _, v := range r.scalable.Versions {
		set[fieldpath.APIVersion(v)] = fieldpath.NewSet(fieldpath.MakePathOrDie("status"))
	}
	return set
}

// Get returns the Scale of the named object.
func (r *ScaleREST) Get(ctx context.Context, name string, options *metav1.GetOptions) (runtime.Object, error) {
	obj, err := r.store.Get(ctx, name, options)
	if err != nil {
		return nil, err
	}
	return r.scaleOf(obj)
}

// Update changes spec.replicas of the named object from the Scale the request carries.
func (r *ScaleREST) Update(ctx context.Context, name string, objInfo rest.UpdatedObjectInfo, createValidation rest.ValidateObjectFunc, updateValidation rest.ValidateObjectUpdateFunc, forceAllowCreate bool, options *metav1.UpdateOptions) (runtime.Object, bool, error) {
	updated, _, err := r.store.Update(ctx, name, &scaleUpdate{reqInfo: objInfo, rest: r}, toScaleCreateValidation(createValidation, r), toScaleUpdateValidation(updateValidation, r), false, options)
	if err != nil {
		return nil, false, err
	}
	scale, err := r.scaleOf(updated)
	return scale, false, err
}

// ConvertToTable renders Scales with the default columns.
func (r *ScaleREST) ConvertToTable(ctx context.Context, object runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	return rest.NewDefaultTableConvertor(r.store.DefaultQualifiedResource).ConvertToTable(ctx, object, tableOptions)
}

func (r *ScaleREST) scaleOf(obj runtime.Object) (*autoscalingv1.Scale, error) {
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	spec, status, selector, err := r.scalable.Replicas(obj)
	if err != nil {
		return nil, err
	}
	return &autoscalingv1.Scale{
		ObjectMeta: metav1.ObjectMeta{
			Name:              accessor.GetName(),
			Namespace:         accessor.GetNamespace(),
			UID:               accessor.GetUID(),
			ResourceVersion:   accessor.GetResourceVersion(),
			CreationTimestamp: accessor.GetCreationTimestamp(),
		},
		Spec:   autoscalingv1.ScaleSpec{Replicas: spec},
		Status: autoscalingv1.ScaleStatus{Replicas: status, Selector: selector},
	}, nil
}

// scaleUpdate turns the Scale a client sent into an update of the parent object.
type scaleUpdate struct {
	reqInfo rest.UpdatedObjectInfo
	rest    *ScaleREST
}

func (i *scaleUpdate) Preconditions() *metav1.Preconditions { return i.reqInfo.Preconditions() }

func (i *scaleUpdate) UpdatedObject(ctx context.Context, oldObj runtime.Object) (runtime.Object, error) {
	if oldObj == nil {
		return nil, apierrors.NewNotFound(i.rest.store.DefaultQualifiedResource, "")
	}
	parent, err := meta.Accessor(oldObj)
	if err != nil {
		return nil, err
	}
	// Field ownership moves between the parent's spec.replicas and the Scale's, so that
	// `kubectl scale` or an autoscaler owns the replicas it set, as upstream's scale handler does.
	fields := managedfields.NewScaleHandler(parent.GetManagedFields(), i.rest.parentVersion(ctx), i.rest.replicasPaths())
	oldScale, err := i.rest.scaleOf(oldObj)
	if err != nil {
		return nil, err
	}
	if oldScale.ManagedFields, err = fields.ToSubresource(); err != nil {
		return nil, err
	}
	obj, err := i.reqInfo.UpdatedObject(ctx, oldScale)
	if err != nil {
		return nil, err
	}
	scale, ok := obj.(*autoscalingv1.Scale)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("expected input object type to be Scale, but %T", obj))
	}
	if errs := validateScale(scale); len(errs) > 0 {
		return nil, apierrors.NewInvalid(autoscalingv1.SchemeGroupVersion.WithKind("Scale").GroupKind(), scale.Name, errs)
	}
	if scale.UID != "" && scale.UID != parent.GetUID() {
		return nil, apierrors.NewConflict(i.rest.store.DefaultQualifiedResource, parent.GetName(),
			fmt.Errorf("Precondition failed: UID in precondition: %v, UID in object meta: %v", scale.UID, parent.GetUID()))
	}
	newObj := oldObj.DeepCopyObject()
	i.rest.scalable.SetReplicas(newObj, scale.Spec.Replicas)
	accessor, err := meta.Accessor(newObj)
	if err != nil {
		return nil, err
	}
	// A resourceVersion in the Scale is an optimistic-concurrency precondition on the parent.
	accessor.SetResourceVersion(scale.ResourceVersion)
	managed, err := fields.ToParent(scale.ManagedFields)
	if err != nil {
		return nil, err
	}
	accessor.SetManagedFields(managed)
	return newObj, nil
}

// parentVersion is the parent's group version the request came through.
func (r *ScaleREST) parentVersion(ctx context.Context) schema.GroupVersion {
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok {
		gv := schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}
		if slices.Contains(r.scalable.Versions, gv.String()) {
			return gv
		}
	}
	gv, _ := schema.ParseGroupVersion(r.scalable.Versions[0])
	return gv
}

// replicasPaths maps each served version of the parent to its spec.replicas.
func (r *ScaleREST) replicasPaths() managedfields.ResourcePathMappings {
	paths := managedfields.ResourcePathMappings{}
	for _, v := range r.scalable.Versions {
		paths[v] = fieldpath.MakePathOrDie("spec", "replicas")
	}
	return paths
}

func validateScale(scale *autoscalingv1.Scale) field.ErrorList {
	var errs field.ErrorList
	if scale.Spec.Replicas < 0 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "replicas"), scale.Spec.Replicas, "must be greater than or equal to 0"))
	}
	return errs
}

// Admission sees the Scale, not the parent object, as upstream's scale subresources do.
func toScaleCreateValidation(f rest.ValidateObjectFunc, r *ScaleREST) rest.ValidateObjectFunc {
	return func(ctx context.Context, obj runtime.Object) error {
		scale, err := r.scaleOf(obj)
		if err != nil {
			return err
		}
		return f(ctx, scale)
	}
}

func toScaleUpdateValidation(f rest.ValidateObjectUpdateFunc, r *ScaleREST) rest.ValidateObjectUpdateFunc {
	return func(ctx context.Context, obj, old runtime.Object) error {
		newScale, err := r.scaleOf(obj)
		if err != nil {
			return err
		}
		oldScale, err := r.scaleOf(old)
		if err != nil {
			return err
		}
		return f(ctx, newScale, oldScale)
	}
}
