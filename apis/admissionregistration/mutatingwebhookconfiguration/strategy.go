package mutatingwebhookconfiguration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/skiff-sh/skiff/apis/admissionregistration/validation"
)

// Strategy is the create, update and delete strategy of MutatingWebhookConfigurations.
var Strategy = validation.NewStrategy(Validate, ValidateUpdate, func(c *admissionregistrationv1.MutatingWebhookConfiguration) []string {
	return validation.WarningsForRules(validation.FromMutating(c.Webhooks))
})
