// Package mutatingadmissionpolicybinding is the registry of admissionregistration.k8s.io/v1
// MutatingAdmissionPolicyBindings.
package mutatingadmissionpolicybinding
