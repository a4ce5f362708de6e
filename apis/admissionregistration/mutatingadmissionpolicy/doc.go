// Package mutatingadmissionpolicy is the registry of admissionregistration.k8s.io/v1
// MutatingAdmissionPolicies.
package mutatingadmissionpolicy
