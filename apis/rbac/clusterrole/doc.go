// Package clusterrole is the registry of rbac.authorization.k8s.io/v1 ClusterRoles.
package clusterrole
