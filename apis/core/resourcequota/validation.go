package resourcequota

import (
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

var (
	standardScopes = sets.New(
		corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating,
		corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort,
		corev1.ResourceQuotaScopePriorityClass, corev1.ResourceQuotaScopeVolumeAttributesClass,
		corev1.ResourceQuotaScopeCrossNamespacePodAffinity,
	)
	podObjectCount = sets.New(corev1.ResourcePods)
	podCompute     = sets.New(corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceLimitsCPU,
		corev1.ResourceLimitsMemory, corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory)
	pvcObjectCount = sets.New(corev1.ResourcePersistentVolumeClaims)
	pvcStorage     = sets.New(corev1.ResourceRequestsStorage)
	conflicting    = []sets.Set[corev1.ResourceQuotaScope]{
		sets.New(corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort),
		sets.New(corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating),
	}
)

// scopeValidForResource tells whether scope can constrain a quota on resource.
func scopeValidForResource(scope corev1.ResourceQuotaScope, resource corev1.ResourceName) bool {
	switch scope {
	case corev1.ResourceQuotaScopeTerminating, corev1.ResourceQuotaScopeNotTerminating, corev1.ResourceQuotaScopeNotBestEffort,
		corev1.ResourceQuotaScopePriorityClass, corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
		return podObjectCount.Has(resource) || podCompute.Has(resource)
	case corev1.ResourceQuotaScopeBestEffort:
		return podObjectCount.Has(resource)
	case corev1.ResourceQuotaScopeVolumeAttributesClass:
		return pvcObjectCount.Has(resource) || pvcStorage.Has(resource)
	}
	return true
}

// Validate checks a ResourceQuota: resource names and quantities, and scopes that fit them.
func Validate(rq *corev1.ResourceQuota) field.ErrorList {
	errs := validate.ObjectMeta(&rq.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validateSpec(&rq.Spec, field.NewPath("spec"))...)
	errs = append(errs, validateStatus(&rq.Status, field.NewPath("status"))...)
	return errs
}

// ValidateUpdate also holds the scopes fixed.
func ValidateUpdate(rq, old *corev1.ResourceQuota) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&rq.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSpec(&rq.Spec, field.NewPath("spec"))...)
	oldScopes, newScopes := sets.New[string](), sets.New[string]()
	for _, s := range rq.Spec.Scopes {
		newScopes.Insert(string(s))
	}
	for _, s := range old.Spec.Scopes {
		oldScopes.Insert(string(s))
	}
	if !oldScopes.Equal(newScopes) {
		errs = append(errs, field.Invalid(field.NewPath("spec", "scopes"), rq.Spec.Scopes, apimachineryvalidation.FieldImmutableErrorMsg))
	}
	return errs
}

// ValidateStatusUpdate checks the hard and used amounts a quota controller writes.
func ValidateStatusUpdate(rq, old *corev1.ResourceQuota) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&rq.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if len(rq.ResourceVersion) == 0 {
		errs = append(errs, field.Required(field.NewPath("resourceVersion"), ""))
	}
	return append(errs, validateStatus(&rq.Status, field.NewPath("status"))...)
}

func validateList(list corev1.ResourceList, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for k, v := range list {
		resPath := fldPath.Key(string(k))
		errs = append(errs, validate.QuotaResourceName(k, resPath)...)
		errs = append(errs, corevalidation.ValidateResourceQuantityValue(k, v, resPath)...)
	}
	return errs
}

func validateStatus(status *corev1.ResourceQuotaStatus, fldPath *field.Path) field.ErrorList {
	return append(validateList(status.Hard, fldPath.Child("hard")), validateList(status.Used, fldPath.Child("used"))...)
}

func validateSpec(spec *corev1.ResourceQuotaSpec, fldPath *field.Path) field.ErrorList {
	errs := validateList(spec.Hard, fldPath.Child("hard"))
	hard := sets.List(sets.KeySet(spec.Hard))

	if len(spec.Scopes) > 0 {
		scopesPath := fldPath.Child("scopes")
		scopes := sets.New[corev1.ResourceQuotaScope]()
		for _, scope := range spec.Scopes {
			if !standardScopes.Has(scope) {
				errs = append(errs, field.Invalid(scopesPath, spec.Scopes, "unsupported scope"))
			}
			for _, k := range hard {
				if validate.IsStandardQuotaResourceName(k) && !scopeValidForResource(scope, k) {
					errs = append(errs, field.Invalid(scopesPath, spec.Scopes, "unsupported scope applied to resource"))
				}
			}
			scopes.Insert(scope)
		}
		for _, pair := range conflicting {
			if scopes.HasAll(sets.List(pair)...) {
				errs = append(errs, field.Invalid(scopesPath, spec.Scopes, "conflicting scopes"))
			}
		}
	}

	if spec.ScopeSelector != nil {
		exprPath := fldPath.Child("scopeSelector").Child("matchExpressions")
		scopes := sets.New[corev1.ResourceQuotaScope]()
		for _, req := range spec.ScopeSelector.MatchExpressions {
			if !standardScopes.Has(req.ScopeName) {
				errs = append(errs, field.Invalid(exprPath.Child("scopeName"), req.ScopeName, "unsupported scope"))
			}
			for _, k := range hard {
				if validate.IsStandardQuotaResourceName(k) && !scopeValidForResource(req.ScopeName, k) {
					errs = append(errs, field.Invalid(exprPath, corevalidation.InternalJSON(spec.ScopeSelector), "unsupported scope applied to resource"))
				}
			}
			switch req.ScopeName {
			case corev1.ResourceQuotaScopeBestEffort, corev1.ResourceQuotaScopeNotBestEffort, corev1.ResourceQuotaScopeTerminating,
				corev1.ResourceQuotaScopeNotTerminating, corev1.ResourceQuotaScopeCrossNamespacePodAffinity:
				if req.Operator != corev1.ScopeSelectorOpExists {
					errs = append(errs, field.Invalid(exprPath.Child("operator"), req.Operator,
						"must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"))
				}
			}
			switch req.Operator {
			case corev1.ScopeSelectorOpIn, corev1.ScopeSelectorOpNotIn:
				if len(req.Values) == 0 {
					errs = append(errs, field.Required(exprPath.Child("values"), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"))
				}
			case corev1.ScopeSelectorOpExists, corev1.ScopeSelectorOpDoesNotExist:
				if len(req.Values) != 0 {
					errs = append(errs, field.Invalid(exprPath.Child("values"), req.Values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
				}
			default:
				errs = append(errs, field.Invalid(exprPath.Child("operator"), req.Operator, "not a valid selector operator"))
			}
			scopes.Insert(req.ScopeName)
		}
		for _, pair := range conflicting {
			if scopes.HasAll(sets.List(pair)...) {
				errs = append(errs, field.Invalid(exprPath, spec.Scopes, "conflicting scopes"))
			}
		}
	}
	return errs
}
