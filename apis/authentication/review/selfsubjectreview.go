package review

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// SelfSubjectReviewREST answers a SelfSubjectReview with the requesting user's attributes
// (`kubectl auth whoami`). Nothing is stored.
type SelfSubjectReviewREST struct{}

var _ interface {
	rest.Creater
	rest.Scoper
	rest.Storage
	rest.SingularNameProvider
} = &SelfSubjectReviewREST{}

// NamespaceScoped is false: reviews are cluster-scoped.
func (*SelfSubjectReviewREST) NamespaceScoped() bool { return false }

// New returns an empty SelfSubjectReview.
func (*SelfSubjectReviewREST) New() runtime.Object { return &authenticationv1.SelfSubjectReview{} }

// Destroy does nothing: there is no storage.
func (*SelfSubjectReviewREST) Destroy() {}

// GetSingularName returns "selfsubjectreview".
func (*SelfSubjectReviewREST) GetSingularName() string { return "selfsubjectreview" }

// Create returns the review with status.userInfo of the requesting user.
func (*SelfSubjectReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	if createValidation != nil {
		if err := createValidation(ctx, obj.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	if _, ok := obj.(*authenticationv1.SelfSubjectReview); !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectReview: %#v", obj))
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	return &authenticationv1.SelfSubjectReview{
		ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.Now()},
		Status:     authenticationv1.SelfSubjectReviewStatus{UserInfo: userInfo(u.GetName(), u.GetUID(), u.GetGroups(), u.GetExtra())},
	}, nil
}

func userInfo(name, uid string, groups []string, extra map[string][]string) authenticationv1.UserInfo {
	info := authenticationv1.UserInfo{Username: name, UID: uid, Groups: groups, Extra: make(map[string]authenticationv1.ExtraValue, len(extra))}
	for k, v := range extra {
		info.Extra[k] = v
	}
	return info
}
