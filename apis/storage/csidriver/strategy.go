package csidriver

import (
	"context"

	storagev1 "k8s.io/api/storage/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of CSIDrivers. As upstream, generation
// is not set on create but bumped when the spec changes.
var Strategy = strategy{registry.NewStrategy(false, false, "storage.k8s.io/v1")}

func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Strategy.PrepareForUpdate(ctx, obj, old)
	registry.BumpGenerationOnSpecChange(obj, old)
}

// AllowUnconditionalUpdate is false: as upstream, updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*storagev1.CSIDriver))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*storagev1.CSIDriver), old.(*storagev1.CSIDriver))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	d := obj.(*storagev1.CSIDriver)
	if len(d.Spec.TokenRequests) > 0 && d.Spec.ServiceAccountTokenInSecrets == nil {
		return []string{warningServiceAccountTokenInSecrets}
	}
	return nil
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	d, o := obj.(*storagev1.CSIDriver), old.(*storagev1.CSIDriver)
	if !apiequality.Semantic.DeepEqual(o.Spec.TokenRequests, d.Spec.TokenRequests) && len(d.Spec.TokenRequests) > 0 && d.Spec.ServiceAccountTokenInSecrets == nil {
		return []string{warningServiceAccountTokenInSecrets}
	}
	return nil
}
