package serviceaccount

import (
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
)

// Validate checks a ServiceAccount: only its metadata has rules.
func Validate(sa *corev1.ServiceAccount) field.ErrorList {
	return validate.ObjectMeta(&sa.ObjectMeta, true, apimachineryvalidation.ValidateServiceAccountName, field.NewPath("metadata"))
}

// ValidateUpdate checks a ServiceAccount update.
func ValidateUpdate(sa, old *corev1.ServiceAccount) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&sa.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, Validate(sa)...)
}
