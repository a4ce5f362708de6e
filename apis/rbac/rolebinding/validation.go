package rolebinding

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rbacvalidation "github.com/skiff-sh/skiff/apis/rbac/validation"
)

// Validate checks a RoleBinding: it refers to a Role or ClusterRole and binds valid subjects.
func Validate(rb *rbacv1.RoleBinding) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&rb.ObjectMeta, true, rbacvalidation.ValidateName, field.NewPath("metadata"))
	errs = append(errs, rbacvalidation.ValidateRoleRef(rb.RoleRef, []string{"Role", "ClusterRole"})...)
	return append(errs, rbacvalidation.ValidateSubjects(rb.Subjects, true)...)
}

// ValidateUpdate also holds roleRef fixed.
func ValidateUpdate(rb, old *rbacv1.RoleBinding) field.ErrorList {
	errs := Validate(rb)
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&rb.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	return append(errs, rbacvalidation.ValidateRoleRefUpdate(rb.RoleRef, old.RoleRef)...)
}
