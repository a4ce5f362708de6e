package review

import (
	"context"
	"errors"
	"net/http"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

func TestSelfSubjectReview(t *testing.T) {
	u := &user.DefaultInfo{Name: "kubernetes-admin", UID: "1", Groups: []string{"system:masters", "system:authenticated"}, Extra: map[string][]string{"k": {"v"}}}
	out, err := (&SelfSubjectReviewREST{}).Create(genericapirequest.WithUser(context.Background(), u), &authenticationv1.SelfSubjectReview{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	review := out.(*authenticationv1.SelfSubjectReview)
	info := review.Status.UserInfo
	if info.Username != "kubernetes-admin" || info.UID != "1" || len(info.Groups) != 2 || info.Extra["k"][0] != "v" || review.CreationTimestamp.IsZero() {
		t.Fatalf("unexpected review: %+v", review)
	}
	if _, err := (&SelfSubjectReviewREST{}).Create(context.Background(), &authenticationv1.SelfSubjectReview{}, nil, nil); !apierrors.IsBadRequest(err) {
		t.Fatalf("want bad request without a user, got %v", err)
	}
}

// tokens knows the token "good" and fails on "bad".
var tokens = authenticator.RequestFunc(func(req *http.Request) (*authenticator.Response, bool, error) {
	auds, _ := authenticator.AudiencesFrom(req.Context())
	switch req.Header.Get("Authorization") {
	case "Bearer good":
		return &authenticator.Response{User: &user.DefaultInfo{Name: "bob", Groups: []string{"g"}}, Audiences: auds}, true, nil
	case "Bearer bad":
		return nil, false, errors.New("invalid bearer token")
	}
	return nil, false, nil
})

func TestTokenReview(t *testing.T) {
	ctx := context.Background()
	r := NewTokenReviewREST(tokens, authenticator.Audiences{"api"})
	out, err := r.Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "good"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := out.(*authenticationv1.TokenReview).Status
	if !st.Authenticated || st.User.Username != "bob" || len(st.Audiences) != 1 || st.Audiences[0] != "api" {
		t.Fatalf("unexpected status: %+v", st)
	}
	out, err = r.Create(ctx, &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "bad"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := out.(*authenticationv1.TokenReview).Status; st.Authenticated || st.Error != "invalid bearer token" {
		t.Fatalf("unexpected status: %+v", st)
	}
	if _, err := r.Create(ctx, &authenticationv1.TokenReview{}, nil, nil); !apierrors.IsBadRequest(err) {
		t.Fatalf("want bad request without a token, got %v", err)
	}
	if _, err := r.Create(genericapirequest.WithNamespace(ctx, "ns"), &authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: "good"}}, nil, nil); !apierrors.IsBadRequest(err) {
		t.Fatalf("want bad request with a namespace, got %v", err)
	}
}
