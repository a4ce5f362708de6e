package clusterrolebinding

import (
	rbacv1 "k8s.io/api/rbac/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	rbacvalidation "github.com/skiff-sh/skiff/apis/rbac/validation"
)

// Validate checks a ClusterRoleBinding: it refers to a ClusterRole and binds valid subjects,
// ServiceAccounts with their namespace.
func Validate(crb *rbacv1.ClusterRoleBinding) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&crb.ObjectMeta, false, rbacvalidation.ValidateName, field.NewPath("metadata"))
	errs = append(errs, rbacvalidation.ValidateRoleRef(crb.RoleRef, []string{"ClusterRole"})...)
	return append(errs, rbacvalidation.ValidateSubjects(crb.Subjects, false)...)
}

// ValidateUpdate also holds roleRef fixed.
func ValidateUpdate(crb, old *rbacv1.ClusterRoleBinding) field.ErrorList {
	errs := Validate(crb)
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&crb.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	return append(errs, rbacvalidation.ValidateRoleRefUpdate(crb.RoleRef, old.RoleRef)...)
}
