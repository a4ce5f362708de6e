// Package validatingadmissionpolicy is the registry of admissionregistration.k8s.io/v1
// ValidatingAdmissionPolicies and their status.
package validatingadmissionpolicy
