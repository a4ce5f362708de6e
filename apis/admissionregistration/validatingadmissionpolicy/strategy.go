package validatingadmissionpolicy

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

// Strategy is the create, update and delete strategy of ValidatingAdmissionPolicies.
var Strategy = validation.NewStrategy(Validate, ValidateUpdate, nil)

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateStatusUpdate(obj.(*admissionregistrationv1.ValidatingAdmissionPolicy), old.(*admissionregistrationv1.ValidatingAdmissionPolicy))
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (statusStrategy) AllowUnconditionalUpdate(context.Context) bool { return false }
