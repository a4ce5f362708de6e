package poddisruptionbudget

import (
	"context"

	policyv1 "k8s.io/api/policy/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of PodDisruptionBudgets.
var Strategy = strategy{registry.NewStrategy(true, true, "policy/v1")}

// PrepareForCreate also strips the selector of the marker policy/v1beta1 used for its
// empty-selector semantics.
func (s strategy) PrepareForCreate(ctx context.Context, obj runtime.Object) {
	s.Strategy.PrepareForCreate(ctx, obj)
	stripV1beta1Label(obj.(*policyv1.PodDisruptionBudget), nil)
}

// PrepareForUpdate also strips the v1beta1 marker from a changed selector.
func (s strategy) PrepareForUpdate(ctx context.Context, obj, old runtime.Object) {
	s.Strategy.PrepareForUpdate(ctx, obj, old)
	stripV1beta1Label(obj.(*policyv1.PodDisruptionBudget), old.(*policyv1.PodDisruptionBudget))
}

// v1beta1Label marks selectors converted from policy/v1beta1.
const v1beta1Label = "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match"

func stripV1beta1Label(pdb, old *policyv1.PodDisruptionBudget) {
	sel := pdb.Spec.Selector
	if sel == nil || (old != nil && apiequality.Semantic.DeepEqual(old.Spec.Selector, sel)) {
		return
	}
	// The marker alone, as an Exists expression, is v1beta1's "match nothing": kept as is.
	if len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 1 && sel.MatchExpressions[0].Key == v1beta1Label &&
		sel.MatchExpressions[0].Operator == "Exists" && len(sel.MatchExpressions[0].Values) == 0 {
		return
	}
	kept := sel.MatchExpressions[:0]
	for _, e := range sel.MatchExpressions {
		if e.Key != v1beta1Label {
			kept = append(kept, e)
		}
	}
	sel.MatchExpressions = kept
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*policyv1.PodDisruptionBudget), false)
}

// ValidateUpdate tolerates selector label values that were stored before they were checked.
func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	oldSel := old.(*policyv1.PodDisruptionBudget).Spec.Selector
	hadInvalid := oldSel != nil && len(metav1validation.ValidateLabelSelector(oldSel, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0
	return Validate(obj.(*policyv1.PodDisruptionBudget), hadInvalid)
}

// AllowUnconditionalUpdate is false: PodDisruptionBudget updates must carry a resourceVersion.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }

type statusStrategy struct {
	registry.StatusStrategy
}

// StatusStrategy is the strategy of the status subresource: it keeps the spec.
var StatusStrategy = statusStrategy{registry.NewStatusStrategy(Strategy.Strategy)}

// PrepareForUpdate keeps the stored spec.
func (statusStrategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	obj.(*policyv1.PodDisruptionBudget).Spec = old.(*policyv1.PodDisruptionBudget).Spec
}

func (statusStrategy) ValidateUpdate(_ context.Context, obj, _ runtime.Object) field.ErrorList {
	return ValidateStatus(&obj.(*policyv1.PodDisruptionBudget).Status, field.NewPath("status"))
}

// AllowUnconditionalUpdate is false, as for the main resource.
func (statusStrategy) AllowUnconditionalUpdate(context.Context) bool { return false }

// GetResetFields: status writes own everything but spec.
func (statusStrategy) GetResetFields() map[fieldpath.APIVersion]*fieldpath.Set {
	return map[fieldpath.APIVersion]*fieldpath.Set{"policy/v1": fieldpath.NewSet(fieldpath.MakePathOrDie("spec"))}
}
