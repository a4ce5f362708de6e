package defaults

import (
	rbacv1 "k8s.io/api/rbac/v1"
)

// SetDefaults_ClusterRoleBinding defaults roleRef.apiGroup to rbac.authorization.k8s.io.
func SetDefaults_ClusterRoleBinding(obj *rbacv1.ClusterRoleBinding) {
	if obj.RoleRef.APIGroup == "" {
		obj.RoleRef.APIGroup = rbacv1.GroupName
	}
}

// SetDefaults_RoleBinding defaults roleRef.apiGroup to rbac.authorization.k8s.io.
func SetDefaults_RoleBinding(obj *rbacv1.RoleBinding) {
	if obj.RoleRef.APIGroup == "" {
		obj.RoleRef.APIGroup = rbacv1.GroupName
	}
}

// SetDefaults_Subject defaults the apiGroup of User and Group subjects to
// rbac.authorization.k8s.io (ServiceAccounts keep the core group "").
func SetDefaults_Subject(obj *rbacv1.Subject) {
	if obj.APIGroup == "" {
		switch obj.Kind {
		case rbacv1.UserKind, rbacv1.GroupKind:
			obj.APIGroup = rbacv1.GroupName
		}
	}
}
