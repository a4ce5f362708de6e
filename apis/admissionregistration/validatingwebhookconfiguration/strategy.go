package validatingwebhookconfiguration

import (
	"context"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ValidatingWebhookConfigurations.
var Strategy = strategy{registry.NewStrategy(false, true, "admissionregistration.k8s.io/v1")}

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	cfg := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	errs := Validate(cfg)
	if utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		errs = append(errs, validation.ValidateStaticSuffix(cfg.Name)...)
	}
	return errs
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*admissionregistrationv1.ValidatingWebhookConfiguration), old.(*admissionregistrationv1.ValidatingWebhookConfiguration))
}

func (strategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	cfg := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	var warnings []string
	if !utilfeature.DefaultFeatureGate.Enabled(features.ManifestBasedAdmissionControlConfig) {
		warnings = append(warnings, validation.WarningsForStaticSuffix(cfg.Name)...)
	}
	if utilfeature.DefaultFeatureGate.Enabled(features.ExcludeAdmissionWebhookVirtualResources) {
		warnings = append(warnings, validation.WarningsForRules(validation.FromValidating(cfg.Webhooks))...)
	}
	return warnings
}

func (strategy) WarningsOnUpdate(_ context.Context, obj, _ runtime.Object) []string {
	cfg := obj.(*admissionregistrationv1.ValidatingWebhookConfiguration)
	warnings := validation.WarningsForStaticSuffix(cfg.Name)
	if utilfeature.DefaultFeatureGate.Enabled(features.ExcludeAdmissionWebhookVirtualResources) {
		warnings = append(warnings, validation.WarningsForRules(validation.FromValidating(cfg.Webhooks))...)
	}
	return warnings
}

// AllowUnconditionalUpdate is false: updates must carry a resourceVersion, as upstream.
func (strategy) AllowUnconditionalUpdate(context.Context) bool { return false }
