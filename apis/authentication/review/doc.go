// Package review serves the create-only authentication.k8s.io/v1 reviews: selfsubjectreviews,
// which tell a client who the apiserver takes it for, and tokenreviews, which authenticate a
// bearer token with the apiserver's authenticator.
package review
