// Package admissionregistration serves the admissionregistration.k8s.io API group.
package admissionregistration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the admissionregistration.k8s.io group.
var Group = registry.Group{
	Name:     admissionregistrationv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(admissionregistrationv1.AddToScheme, []schema.GroupVersion{admissionregistrationv1.SchemeGroupVersion}, admissionregistrationv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
