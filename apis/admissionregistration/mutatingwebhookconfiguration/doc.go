// Package mutatingwebhookconfiguration is the registry of admissionregistration.k8s.io/v1
// MutatingWebhookConfigurations.
package mutatingwebhookconfiguration
