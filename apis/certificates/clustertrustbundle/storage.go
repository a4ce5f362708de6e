package clustertrustbundle

import (
	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the clustertrustbundles resource.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: certificatesv1.Resource("clustertrustbundles"),
		Singular: "clustertrustbundle",
		New:      func() runtime.Object { return &certificatesv1.ClusterTrustBundle{} },
		NewList:  func() runtime.Object { return &certificatesv1.ClusterTrustBundleList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"spec.signerName": obj.(*certificatesv1.ClusterTrustBundle).Spec.SignerName}
		},
		// Upstream prints no Age column for bundles.
		Table: registry.Table{
			Columns: []metav1.TableColumnDefinition{
				{Name: "SignerName", Type: "string", Description: certificatesv1.ClusterTrustBundleSpec{}.SwaggerDoc()["signerName"]},
			},
			Row: func(obj runtime.Object) ([]any, error) {
				signer := obj.(*certificatesv1.ClusterTrustBundle).Spec.SignerName
				if signer == "" {
					signer = "<none>"
				}
				return []any{signer}, nil
			},
		},
	})
	if err != nil {
		return nil, err
	}
	return registry.Resources{"clustertrustbundles": store}, nil
}
