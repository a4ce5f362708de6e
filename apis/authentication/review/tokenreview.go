package review

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"
)

// TokenReviewREST authenticates the bearer token of a TokenReview with the apiserver's
// authenticator. Nothing is stored.
type TokenReviewREST struct {
	authn     authenticator.Request
	audiences authenticator.Audiences
}

var _ interface {
	rest.Creater
	rest.Scoper
	rest.Storage
	rest.SingularNameProvider
} = &TokenReviewREST{}

// NewTokenReviewREST returns the tokenreviews storage. With a nil authenticator every review
// comes back unauthenticated. audiences are the apiserver's, used when a review names none.
func NewTokenReviewREST(authn authenticator.Request, audiences authenticator.Audiences) *TokenReviewREST {
	return &TokenReviewREST{authn: authn, audiences: audiences}
}

// NamespaceScoped is false: reviews are cluster-scoped.
func (*TokenReviewREST) NamespaceScoped() bool { return false }

// New returns an empty TokenReview.
func (*TokenReviewREST) New() runtime.Object { return &authenticationv1.TokenReview{} }

// Destroy does nothing: there is no storage.
func (*TokenReviewREST) Destroy() {}

// GetSingularName returns "tokenreview".
func (*TokenReviewREST) GetSingularName() string { return "tokenreview" }

var errAudiences = apierrors.NewInternalError(errors.New("error validating audiences"))

// Create authenticates spec.token and fills in the status.
func (r *TokenReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authenticationv1.TokenReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenReview: %#v", obj))
	}
	if ns := genericapirequest.NamespaceValue(ctx); ns != "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("namespace is not allowed on this type: %v", ns))
	}
	if review.Spec.Token == "" {
		return nil, apierrors.NewBadRequest("token is required for TokenReview in authentication")
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if r.authn == nil {
		return review, nil
	}

	// A request that carries nothing but the token. It has a URL (path "") so that
	// authenticators looking at the path, like anonymous access to health checks, don't match.
	req := &http.Request{Header: http.Header{}, URL: &url.URL{}}
	req.Header.Add("Authorization", "Bearer "+review.Spec.Token)
	auds := authenticator.Audiences(review.Spec.Audiences)
	if len(auds) == 0 {
		auds = r.audiences
	}
	if len(auds) > 0 {
		req = req.WithContext(authenticator.WithAudiences(req.Context(), auds))
	}
	resp, authenticated, err := r.authn.AuthenticateRequest(req)
	review.Status.Authenticated = authenticated
	if err != nil {
		review.Status.Error = err.Error()
	}
	if len(auds) > 0 && resp != nil && len(auds.Intersect(resp.Audiences)) == 0 {
		klog.FromContext(ctx).Error(nil, "Token audiences do not match", "want", auds, "got", resp.Audiences)
		return nil, errAudiences
	}
	if resp != nil && resp.User != nil {
		u := resp.User
		review.Status.User = userInfo(u.GetName(), u.GetUID(), u.GetGroups(), u.GetExtra())
		review.Status.Audiences = resp.Audiences
	}
	return review, nil
}
