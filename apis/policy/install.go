// Package policy serves the policy API group.
package policy

import (
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/policy/poddisruptionbudget"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the policy group.
var Group = registry.Group{
	Name:     policyv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(policyv1.AddToScheme, []schema.GroupVersion{policyv1.SchemeGroupVersion}, policyv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1",
		poddisruptionbudget.NewStorage,
	),
}
