// Package validation holds upstream's validation rules for admissionregistration.k8s.io/v1
// types that several resources share: rules, match resources, param references, webhook
// client configs and the compilation of CEL expressions. The resource packages call it.
package validation
