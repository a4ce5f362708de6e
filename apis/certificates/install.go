// Package certificates serves the certificates.k8s.io API group.
package certificates

import (
	certificatesv1 "k8s.io/api/certificates/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/certificates/certificatesigningrequest"
	"github.com/skiff-sh/skiff/apis/certificates/clustertrustbundle"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the certificates.k8s.io group.
var Group = registry.Group{
	Name:     certificatesv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(certificatesv1.AddToScheme, []schema.GroupVersion{certificatesv1.SchemeGroupVersion}, certificatesv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1",
		certificatesigningrequest.NewStorage,
		clustertrustbundle.NewStorage,
	),
}
