// Package token issues and authenticates service-account tokens: the serviceaccounts/token
// subresource (authentication.k8s.io/v1 TokenRequest), the JWTs it signs with the cluster's
// service-account key, the bearer-token authenticator that accepts them, and the OIDC issuer
// discovery documents that publish the verification keys.
package token
