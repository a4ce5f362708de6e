package clusterrolebinding

import (
	"context"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/registry"
)

type strategy struct {
	registry.Strategy
}

// Strategy is the create, update and delete strategy of ClusterRoleBindings.
var Strategy = strategy{registry.NewStrategy(false, false, "rbac.authorization.k8s.io/v1")}

// AllowCreateOnUpdate is true: as upstream, PUT creates a missing ClusterRoleBinding.
func (strategy) AllowCreateOnUpdate(context.Context) bool { return true }

func (strategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return Validate(obj.(*rbacv1.ClusterRoleBinding))
}

func (strategy) ValidateUpdate(_ context.Context, obj, old runtime.Object) field.ErrorList {
	return ValidateUpdate(obj.(*rbacv1.ClusterRoleBinding), old.(*rbacv1.ClusterRoleBinding))
}
