package review

import (
	"context"
	"errors"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
)

// podsOnly allows alice to get pods and has no opinion on anything else.
var podsOnly = authorizer.AuthorizerFunc(func(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.GetUser().GetName() == "alice" && a.GetResource() == "pods" && a.GetVerb() == "get" {
		return authorizer.DecisionAllow, "pods are fine", nil
	}
	if a.GetPath() == "/denied" {
		return authorizer.DecisionDeny, "no", errors.New("boom")
	}
	return authorizer.DecisionNoOpinion, "", nil
})

func TestValidation(t *testing.T) {
	ra := &authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods", Namespace: "ns"}
	nra := &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/healthz"}
	tests := []struct {
		name  string
		errs  field.ErrorList
		field string
	}{
		{"sar ok", ValidateSubjectAccessReview(&authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", ResourceAttributes: ra}}), ""},
		{"sar both", ValidateSubjectAccessReview(&authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", ResourceAttributes: ra, NonResourceAttributes: nra}}), "spec"},
		{"sar none", ValidateSubjectAccessReview(&authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{User: "a"}}), "spec"},
		{"sar no user", ValidateSubjectAccessReview(&authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{ResourceAttributes: ra}}), "spec.user"},
		{"sar metadata", ValidateSubjectAccessReview(&authorizationv1.SubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Name: "x"}, Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", ResourceAttributes: ra}}), "metadata"},
		{"ssar ok", ValidateSelfSubjectAccessReview(&authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{NonResourceAttributes: nra}}), ""},
		{"ssar none", ValidateSelfSubjectAccessReview(&authorizationv1.SelfSubjectAccessReview{}), "spec"},
		{"ssar selector", ValidateSelfSubjectAccessReview(&authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
			LabelSelector: &authorizationv1.LabelSelectorAttributes{}}}}), "spec.resourceAttributes.labelSelector.requirements"},
		{"lsar ok", ValidateLocalSubjectAccessReview(&authorizationv1.LocalSubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Namespace: "ns"}, Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", ResourceAttributes: ra}}), ""},
		{"lsar namespace", ValidateLocalSubjectAccessReview(&authorizationv1.LocalSubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Namespace: "other"}, Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", ResourceAttributes: ra}}), "spec.resourceAttributes.namespace"},
		{"lsar non-resource", ValidateLocalSubjectAccessReview(&authorizationv1.LocalSubjectAccessReview{ObjectMeta: metav1.ObjectMeta{Namespace: "ns"}, Spec: authorizationv1.SubjectAccessReviewSpec{User: "a", NonResourceAttributes: nra}}), "spec.nonResourceAttributes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == "" {
				if len(tc.errs) > 0 {
					t.Fatalf("unexpected errors: %v", tc.errs)
				}
				return
			}
			for _, e := range tc.errs {
				if e.Field == tc.field {
					return
				}
			}
			t.Fatalf("want an error at %s, got %v", tc.field, tc.errs)
		})
	}
}

func TestSubjectAccessReviews(t *testing.T) {
	ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "alice"})

	ssar := &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Verb: "get", Resource: "pods"},
	}}
	out, err := NewSelfSubjectAccessReviewREST(podsOnly).Create(ctx, ssar, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := out.(*authorizationv1.SelfSubjectAccessReview).Status; !st.Allowed || st.Reason != "pods are fine" {
		t.Fatalf("alice may get pods: %+v", st)
	}

	sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "bob", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/denied"},
	}}
	out, err = NewSubjectAccessReviewREST(podsOnly).Create(ctx, sar, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := out.(*authorizationv1.SubjectAccessReview).Status; st.Allowed || !st.Denied || st.EvaluationError != "boom" {
		t.Fatalf("bob is denied: %+v", st)
	}

	_, err = NewSubjectAccessReviewREST(podsOnly).Create(ctx, &authorizationv1.SubjectAccessReview{}, nil, nil)
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want invalid, got %v", err)
	}

	lsar := &authorizationv1.LocalSubjectAccessReview{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns"},
		Spec: authorizationv1.SubjectAccessReviewSpec{User: "alice", ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: "ns", Verb: "get", Resource: "pods", LabelSelector: &authorizationv1.LabelSelectorAttributes{RawSelector: "a in (("},
		}},
	}
	_, err = NewLocalSubjectAccessReviewREST(podsOnly).Create(genericapirequest.WithNamespace(ctx, "other"), lsar.DeepCopy(), nil, nil)
	if !apierrors.IsBadRequest(err) {
		t.Fatalf("want bad request for a namespace mismatch, got %v", err)
	}
	out, err = NewLocalSubjectAccessReviewREST(podsOnly).Create(genericapirequest.WithNamespace(ctx, "ns"), lsar, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := out.(*authorizationv1.LocalSubjectAccessReview).Status; !st.Allowed || st.EvaluationError != "spec.resourceAttributes.labelSelector ignored due to parse error" {
		t.Fatalf("unexpected status: %+v", st)
	}

	if _, err := NewSelfSubjectAccessReviewREST(nil).Create(ctx, ssar, nil, nil); !apierrors.IsInternalError(err) {
		t.Fatalf("want an internal error without an authorizer, got %v", err)
	}
}

type rules struct{}

func (rules) RulesFor(context.Context, user.Info, string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	return []authorizer.ResourceRuleInfo{&authorizer.DefaultResourceRuleInfo{Verbs: []string{"*"}, APIGroups: []string{"*"}, Resources: []string{"*"}}},
		[]authorizer.NonResourceRuleInfo{&authorizer.DefaultNonResourceRuleInfo{Verbs: []string{"*"}, NonResourceURLs: []string{"*"}}}, false, nil
}

func TestSelfSubjectRulesReview(t *testing.T) {
	ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "alice"})
	r := NewSelfSubjectRulesReviewREST(rules{})
	if _, err := r.Create(ctx, &authorizationv1.SelfSubjectRulesReview{}, nil, nil); !apierrors.IsBadRequest(err) {
		t.Fatalf("want bad request without a namespace, got %v", err)
	}
	out, err := r.Create(ctx, &authorizationv1.SelfSubjectRulesReview{Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: "ns"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := out.(*authorizationv1.SelfSubjectRulesReview).Status
	if len(st.ResourceRules) != 1 || st.ResourceRules[0].Verbs[0] != "*" || len(st.NonResourceRules) != 1 || st.Incomplete {
		t.Fatalf("unexpected status: %+v", st)
	}
}
