package event

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Events.
var Strategy = strategy{registry.NewStrategy(true, false, "v1")}

var _ rest.GarbageCollectionDeleteStrategy = Strategy

// DefaultGarbageCollectionPolicy: events have no dependents to collect.
func (strategy) DefaultGarbageCollectionPolicy(context.Context) rest.GarbageCollectionPolicy {
	return rest.Unsupported
}

// AllowCreateOnUpdate is true: events can be created with PUT.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return true }

func (strategy) Validate(ctx context.Context, obj runtime.Object) field.ErrorList {
	return ValidateCreate(obj.(*corev1.Event), requestGroupVersion(ctx))
}

func (strategy) ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.Event), old.(*corev1.Event), requestGroupVersion(ctx))
}

func requestGroupVersion(ctx context.Context) schema.GroupVersion {
	if info, ok := genericapirequest.RequestInfoFrom(ctx); ok {
		return schema.GroupVersion{Group: info.APIGroup, Version: info.APIVersion}
	}
	return schema.GroupVersion{}
}
