package clusterrole

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rbacvalidation "github.com/skiff-sh/skiff/apis/rbac/validation"
)

// Validate checks a ClusterRole: metadata, rules and the aggregation rule.
func Validate(role *rbacv1.ClusterRole) field.ErrorList {
	return validate(role, false)
}

// ValidateUpdate checks the updated ClusterRole and the metadata update; aggregation
// selectors are held to the rules the stored object passed.
func ValidateUpdate(role, old *rbacv1.ClusterRole) field.ErrorList {
	errs := validate(role, rbacvalidation.HasInvalidLabelValueInAggregationRule(old))
	return append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&role.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
}

func validate(role *rbacv1.ClusterRole, allowInvalidLabelValue bool) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&role.ObjectMeta, false, rbacvalidation.ValidateName, field.NewPath("metadata"))
	errs = append(errs, rbacvalidation.ValidateRules(role.Rules, false, field.NewPath("rules"))...)
	return append(errs, rbacvalidation.ValidateAggregationRule(role.AggregationRule, allowInvalidLabelValue)...)
}
