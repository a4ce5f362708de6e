// Package validatingadmissionpolicybinding is the registry of admissionregistration.k8s.io/v1
// ValidatingAdmissionPolicyBindings.
package validatingadmissionpolicybinding
