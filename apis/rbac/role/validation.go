package role

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rbacvalidation "github.com/skiff-sh/skiff/apis/rbac/validation"
)

// Validate checks a Role: metadata and rules, which may not name non-resource URLs.
func Validate(role *rbacv1.Role) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&role.ObjectMeta, true, rbacvalidation.ValidateName, field.NewPath("metadata"))
	return append(errs, rbacvalidation.ValidateRules(role.Rules, true, field.NewPath("rules"))...)
}

// ValidateUpdate checks the updated Role and the metadata update.
func ValidateUpdate(role, old *rbacv1.Role) field.ErrorList {
	errs := Validate(role)
	return append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&role.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
}
