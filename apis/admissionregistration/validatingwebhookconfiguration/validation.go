package validatingwebhookconfiguration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Validate checks a new ValidatingWebhookConfiguration as upstream does.
func Validate(cfg *admissionregistrationv1.ValidatingWebhookConfiguration) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&cfg.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validation.ValidateWebhooks(validation.FromValidating(cfg.Webhooks))...)
}

// ValidateUpdate checks an update, tolerating what the stored webhooks already got away with.
func ValidateUpdate(cfg, old *admissionregistrationv1.ValidatingWebhookConfiguration) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&cfg.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	// Upstream checks no metadata update rules beyond what the registry always does.
	return append(errs, validation.ValidateWebhooksUpdate(validation.FromValidating(cfg.Webhooks), validation.FromValidating(old.Webhooks))...)
}
