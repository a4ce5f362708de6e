// Package authentication serves the authentication.k8s.io API group.
package authentication

import (
	authenticationv1 "k8s.io/api/authentication/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/authentication/review"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the authentication.k8s.io group without an authenticator: it registers the types
// and serves selfsubjectreviews, and tokenreviews that authenticate nobody. The server serves
// NewGroup with its authenticator instead.
var Group = NewGroup(nil, nil)

// NewGroup returns the group with tokenreviews answered by authn; audiences are the
// apiserver's (--api-audiences), used for reviews that name none.
func NewGroup(authn authenticator.Request, audiences authenticator.Audiences) registry.Group {
	return registry.Group{
		Name:     authenticationv1.GroupName,
		Versions: []string{"v1"},
		Install: func() error {
			return scheme.AddGroup(authenticationv1.AddToScheme, []schema.GroupVersion{authenticationv1.SchemeGroupVersion}, authenticationv1.SchemeGroupVersion)
		},
		NewStorage: registry.Version("v1", func(generic.RESTOptionsGetter) (registry.Resources, error) {
			return registry.Resources{
				"selfsubjectreviews": &review.SelfSubjectReviewREST{},
				"tokenreviews":       review.NewTokenReviewREST(authn, audiences),
			}, nil
		}),
	}
}
