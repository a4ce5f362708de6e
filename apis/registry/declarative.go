package registry

import (
	"context"

	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/scheme"
)

// ValidateDeclaratively passes the hand-written errors through the same merge step upstream's
// strategies use (rest.DeclarativeValidation). skiff registers no declarative validators of its
// own, but the merge still shapes the errors as users see them from kube-apiserver: an error
// repeating an earlier one's text is reported once.
func (Strategy) ValidateDeclaratively(ctx context.Context, obj, oldObj runtime.Object, errs field.ErrorList, op operation.Type, config rest.DeclarativeValidationConfig) field.ErrorList {
	return rest.ValidateDeclarativelyWithMigrationChecks(ctx, scheme.Scheme, obj, oldObj, errs, op, config)
}

// DeclarativeValidationConfig is the default configuration.
func (Strategy) DeclarativeValidationConfig(context.Context, runtime.Object, runtime.Object) rest.DeclarativeValidationConfig {
	return rest.DeclarativeValidationConfig{}
}

var _ rest.DeclarativeValidationStrategy = Strategy{}
