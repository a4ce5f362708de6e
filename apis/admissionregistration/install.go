// Package admissionregistration serves the admissionregistration.k8s.io API group.
package admissionregistration

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
	"github.com/skiff-sh/skiff/apis/admissionregistration/mutatingadmissionpolicy"
	"github.com/skiff-sh/skiff/apis/admissionregistration/mutatingadmissionpolicybinding"
	"github.com/skiff-sh/skiff/apis/admissionregistration/mutatingwebhookconfiguration"
	"github.com/skiff-sh/skiff/apis/admissionregistration/validatingadmissionpolicy"
	"github.com/skiff-sh/skiff/apis/admissionregistration/validatingadmissionpolicybinding"
	"github.com/skiff-sh/skiff/apis/admissionregistration/validatingwebhookconfiguration"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the admissionregistration.k8s.io group.
var Group = registry.Group{
	Name:     admissionregistrationv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(admissionregistrationv1.AddToScheme, []schema.GroupVersion{admissionregistrationv1.SchemeGroupVersion}, admissionregistrationv1.SchemeGroupVersion); err != nil {
			return err
		}
		return defaults.RegisterDefaults(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		validatingwebhookconfiguration.NewStorage,
		mutatingwebhookconfiguration.NewStorage,
		validatingadmissionpolicy.NewStorage,
		validatingadmissionpolicybinding.NewStorage,
		mutatingadmissionpolicy.NewStorage,
		mutatingadmissionpolicybinding.NewStorage,
	),
}
