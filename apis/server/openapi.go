package server

import (
	apiextensionsopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	aggregatoropenapi "k8s.io/kube-aggregator/pkg/generated/openapi"
	"k8s.io/kube-openapi/pkg/common"

	generatedopenapi "github.com/skiff-sh/skiff/apis/generated/openapi"
)

// openAPIDefinitions merges the definitions of the standard types with those the
// apiextensions and aggregator servers ship for their own types, as kube-apiserver's
// generated set contains all three.
func openAPIDefinitions(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
	defs := generatedopenapi.GetOpenAPIDefinitions(ref)
	for _, more := range []common.GetOpenAPIDefinitions{apiextensionsopenapi.GetOpenAPIDefinitions, aggregatoropenapi.GetOpenAPIDefinitions} {
		for name, def := range more(ref) {
			if _, ok := defs[name]; !ok {
				defs[name] = def
			}
		}
	}
	return defs
}
