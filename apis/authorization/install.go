// Package authorization serves the authorization.k8s.io API group.
package authorization

import (
	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/authorization/review"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the authorization.k8s.io group without an authorizer: it registers the types, and
// its reviews fail with an internal error. The server serves NewGroup with its authorizer.
var Group = NewGroup(nil, nil)

// NewGroup returns the group with access reviews answered by authz and rules reviews by rules
// (the server's generic.Authorization.Authorizer and generic.RuleResolver).
func NewGroup(authz authorizer.Authorizer, rules authorizer.RuleResolver) registry.Group {
	// A nil interface must stay nil: a typed nil would hide that there is no authorizer.
	var unconditional authorizer.UnconditionalAuthorizer
	if authz != nil {
		unconditional = authz
	}
	return registry.Group{
		Name:     authorizationv1.GroupName,
		Versions: []string{"v1"},
		Install: func() error {
			return scheme.AddGroup(authorizationv1.AddToScheme, []schema.GroupVersion{authorizationv1.SchemeGroupVersion}, authorizationv1.SchemeGroupVersion)
		},
		NewStorage: registry.Version("v1", func(generic.RESTOptionsGetter) (registry.Resources, error) {
			return registry.Resources{
				"subjectaccessreviews":      review.NewSubjectAccessReviewREST(unconditional),
				"selfsubjectaccessreviews":  review.NewSelfSubjectAccessReviewREST(unconditional),
				"localsubjectaccessreviews": review.NewLocalSubjectAccessReviewREST(unconditional),
				"selfsubjectrulesreviews":   review.NewSelfSubjectRulesReviewREST(rules),
			}, nil
		}),
	}
}
