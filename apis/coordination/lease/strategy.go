package lease

import (
	"context"

	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Leases.
var Strategy = strategy{registry.NewStrategy(true, false, "coordination.k8s.io/v1")}

// PrepareForCreate drops strategy and preferredHolder: they belong to the
// CoordinatedLeaderElection feature, off by default upstream.
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	l := obj.(*coordinationv1.Lease)
	l.Spec.Strategy, l.Spec.PreferredHolder = nil, nil
}

// PrepareForUpdate drops strategy and preferredHolder unless the stored Lease has them.
func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Strategy.PrepareForUpdate(ctx, obj, old)
	l, o := obj.(*coordinationv1.Lease), old.(*coordinationv1.Lease)
	if o.Spec.Strategy == nil {
		l.Spec.Strategy = nil
	}
	if o.Spec.PreferredHolder == nil {
		l.Spec.PreferredHolder = nil
	}
}

// AllowCreateOnUpdate is true: as upstream, PUT creates a missing Lease.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return true }

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*coordinationv1.Lease))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*coordinationv1.Lease), old.(*coordinationv1.Lease))
}
