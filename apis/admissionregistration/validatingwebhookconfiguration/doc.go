// Package validatingwebhookconfiguration is the registry of admissionregistration.k8s.io/v1
// ValidatingWebhookConfigurations.
package validatingwebhookconfiguration
