// Package certificatesigningrequest is the registry of certificates.k8s.io/v1
// CertificateSigningRequests with their status and approval subresources.
package certificatesigningrequest
