// Package clusterrolebinding is the registry of rbac.authorization.k8s.io/v1 ClusterRoleBindings.
package clusterrolebinding
