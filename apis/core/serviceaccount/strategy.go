package serviceaccount

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

// enforceMountableSecretsAnnotation is the deprecated kubernetes.io/enforce-mountable-secrets.
const enforceMountableSecretsAnnotation = "kubernetes.io/enforce-mountable-secrets"

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ServiceAccounts.
var Strategy = strategy{registry.NewStrategy(true, false, "v1")}

// PrepareForCreate keeps only the names of referenced secrets.
func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	cleanSecretReferences(obj.(*corev1.ServiceAccount))
}

// PrepareForUpdate keeps only the names of referenced secrets.
func (strategy) PrepareForUpdate(_ context.Context, obj, _ runtime.Object) {
	cleanSecretReferences(obj.(*corev1.ServiceAccount))
}

func cleanSecretReferences(sa *corev1.ServiceAccount) {
	for i, secret := range sa.Secrets {
		sa.Secrets[i] = corev1.ObjectReference{Name: secret.Name}
	}
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.ServiceAccount))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.ServiceAccount), old.(*corev1.ServiceAccount))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return mountableSecretsWarning(obj.(*corev1.ServiceAccount), nil)
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, old runtime.Object) []string {
	return mountableSecretsWarning(obj.(*corev1.ServiceAccount), old.(*corev1.ServiceAccount))
}

func mountableSecretsWarning(sa, old *corev1.ServiceAccount) []string {
	if old != nil {
		if _, ok := old.Annotations[enforceMountableSecretsAnnotation]; ok {
			return nil
		}
	}
	if _, ok := sa.Annotations[enforceMountableSecretsAnnotation]; ok {
		return []string{fmt.Sprintf("metadata.annotations[%s]: deprecated in v1.32+; prefer separate namespaces to isolate access to mounted secrets", enforceMountableSecretsAnnotation)}
	}
	return nil
}
