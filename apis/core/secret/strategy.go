package secret

import (
	"context"
	"crypto/tls"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of Secrets.
var Strategy = strategy{registry.NewStrategy(true, false, "v1")}

// PrepareForCreate merges stringData into data, as upstream's conversion does. Decoded bodies
// (and apply results) already had it merged by the defaults; this covers objects that reach
// the store without being decoded.
func (strategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	mergeStringData(obj.(*corev1.Secret))
}

// PrepareForUpdate merges stringData into data and keeps the type when the client left it out.
func (strategy) PrepareForUpdate(_ context.Context, obj, old runtime.Object) {
	secret := obj.(*corev1.Secret)
	mergeStringData(secret)
	if len(secret.Type) == 0 {
		secret.Type = old.(*corev1.Secret).Type
	}
}

// mergeStringData moves the write-only stringData into data; stringData wins on conflicts.
func mergeStringData(secret *corev1.Secret) {
	if len(secret.StringData) > 0 {
		if secret.Data == nil {
			secret.Data = map[string][]byte{}
		}
		for k, v := range secret.StringData {
			secret.Data[k] = []byte(v)
		}
	}
	secret.StringData = nil
}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*corev1.Secret))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*corev1.Secret), old.(*corev1.Secret))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	return warnings(obj.(*corev1.Secret))
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	return warnings(obj.(*corev1.Secret))
}

// warnings reports a TLS secret whose certificate and key do not form a pair.
func warnings(secret *corev1.Secret) []string {
	if secret.Type == corev1.SecretTypeTLS {
		if _, err := tls.X509KeyPair(secret.Data[corev1.TLSCertKey], secret.Data[corev1.TLSPrivateKeyKey]); err != nil {
			return []string{err.Error()}
		}
	}
	return nil
}
