// Package rolebinding is the registry of rbac.authorization.k8s.io/v1 RoleBindings.
package rolebinding
