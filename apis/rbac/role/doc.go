// Package role is the registry of rbac.authorization.k8s.io/v1 Roles.
package role
