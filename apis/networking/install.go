// Package networking serves the networking.k8s.io API group.
package networking

import (
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/networking/defaults"
	"github.com/skiff-sh/skiff/apis/networking/ingress"
	"github.com/skiff-sh/skiff/apis/networking/ingressclass"
	"github.com/skiff-sh/skiff/apis/networking/networkpolicy"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the networking.k8s.io group.
var Group = registry.Group{
	Name:     networkingv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(networkingv1.AddToScheme, []schema.GroupVersion{networkingv1.SchemeGroupVersion}, networkingv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		ingress.NewStorage,
		ingressclass.NewStorage,
		networkpolicy.NewStorage,
	),
}
