package clustertrustbundle

import (
	"context"

	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ClusterTrustBundles (cluster-scoped,
// no status, no generation).
var Strategy = strategy{registry.NewStrategy(false, false, "certificates.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*certificatesv1.ClusterTrustBundle))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*certificatesv1.ClusterTrustBundle), old.(*certificatesv1.ClusterTrustBundle))
}

// AllowUnconditionalUpdate is false: an update must carry a resourceVersion, as upstream.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }
