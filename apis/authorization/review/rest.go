package review

import (
	"context"
	"errors"
	"fmt"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
)

// reviewStorage is what every review storage implements: create only, nothing stored.
type reviewStorage interface {
	rest.Creater
	rest.Scoper
	rest.Storage
	rest.SingularNameProvider
}

var (
	_ reviewStorage = &SubjectAccessReviewREST{}
	_ reviewStorage = &SelfSubjectAccessReviewREST{}
	_ reviewStorage = &LocalSubjectAccessReviewREST{}
	_ reviewStorage = &SelfSubjectRulesReviewREST{}
)

var errNoAuthorizer = apierrors.NewInternalError(errors.New("no authorizer is configured"))

func invalid(kind string, errs field.ErrorList) error {
	return apierrors.NewInvalid(authorizationv1.SchemeGroupVersion.WithKind(kind).GroupKind(), "", errs)
}

// decide asks authz and returns the review status.
func decide(ctx context.Context, authz authorizer.UnconditionalAuthorizer, attrs authorizer.AttributesRecord) authorizationv1.SubjectAccessReviewStatus {
	decision, reason, err := authz.Authorize(ctx, attrs)
	return authorizationv1.SubjectAccessReviewStatus{
		Allowed:         decision == authorizer.DecisionAllow,
		Denied:          decision == authorizer.DecisionDeny,
		Reason:          reason,
		EvaluationError: evaluationError(err, attrs),
	}
}

func admit(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc) error {
	if createValidation == nil {
		return nil
	}
	return createValidation(ctx, obj.DeepCopyObject())
}

// SubjectAccessReviewREST answers whether a given user may do something.
type SubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewSubjectAccessReviewREST returns the subjectaccessreviews storage.
func NewSubjectAccessReviewREST(authz authorizer.UnconditionalAuthorizer) *SubjectAccessReviewREST {
	return &SubjectAccessReviewREST{authz: authz}
}

// NamespaceScoped is false.
func (*SubjectAccessReviewREST) NamespaceScoped() bool { return false }

// New returns an empty SubjectAccessReview.
func (*SubjectAccessReviewREST) New() runtime.Object { return &authorizationv1.SubjectAccessReview{} }

// Destroy does nothing.
func (*SubjectAccessReviewREST) Destroy() {}

// GetSingularName returns "subjectaccessreview".
func (*SubjectAccessReviewREST) GetSingularName() string { return "subjectaccessreview" }

// Create validates the review and fills in the authorizer's decision.
func (r *SubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SubjectAccessReview: %#v", obj))
	}
	if errs := ValidateSubjectAccessReview(review); len(errs) > 0 {
		return nil, invalid("SubjectAccessReview", errs)
	}
	if err := admit(ctx, obj, createValidation); err != nil {
		return nil, err
	}
	if r.authz == nil {
		return nil, errNoAuthorizer
	}
	review.Status = decide(ctx, r.authz, specAttributes(review.Spec))
	return review, nil
}

// SelfSubjectAccessReviewREST answers whether the requesting user may do something
// (`kubectl auth can-i`).
type SelfSubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewSelfSubjectAccessReviewREST returns the selfsubjectaccessreviews storage.
func NewSelfSubjectAccessReviewREST(authz authorizer.UnconditionalAuthorizer) *SelfSubjectAccessReviewREST {
	return &SelfSubjectAccessReviewREST{authz: authz}
}

// NamespaceScoped is false.
func (*SelfSubjectAccessReviewREST) NamespaceScoped() bool { return false }

// New returns an empty SelfSubjectAccessReview.
func (*SelfSubjectAccessReviewREST) New() runtime.Object {
	return &authorizationv1.SelfSubjectAccessReview{}
}

// Destroy does nothing.
func (*SelfSubjectAccessReviewREST) Destroy() {}

// GetSingularName returns "selfsubjectaccessreview".
func (*SelfSubjectAccessReviewREST) GetSingularName() string { return "selfsubjectaccessreview" }

// Create validates the review and fills in the authorizer's decision for the requesting user.
func (r *SelfSubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SelfSubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectAccessReview: %#v", obj))
	}
	if errs := ValidateSelfSubjectAccessReview(review); len(errs) > 0 {
		return nil, invalid("SelfSubjectAccessReview", errs)
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	if err := admit(ctx, obj, createValidation); err != nil {
		return nil, err
	}
	if r.authz == nil {
		return nil, errNoAuthorizer
	}
	review.Status = decide(ctx, r.authz, attributes(u, review.Spec.ResourceAttributes, review.Spec.NonResourceAttributes))
	return review, nil
}

// LocalSubjectAccessReviewREST answers whether a given user may do something in a namespace.
type LocalSubjectAccessReviewREST struct {
	authz authorizer.UnconditionalAuthorizer
}

// NewLocalSubjectAccessReviewREST returns the localsubjectaccessreviews storage.
func NewLocalSubjectAccessReviewREST(authz authorizer.UnconditionalAuthorizer) *LocalSubjectAccessReviewREST {
	return &LocalSubjectAccessReviewREST{authz: authz}
}

// NamespaceScoped is true.
func (*LocalSubjectAccessReviewREST) NamespaceScoped() bool { return true }

// New returns an empty LocalSubjectAccessReview.
func (*LocalSubjectAccessReviewREST) New() runtime.Object {
	return &authorizationv1.LocalSubjectAccessReview{}
}

// Destroy does nothing.
func (*LocalSubjectAccessReviewREST) Destroy() {}

// GetSingularName returns "localsubjectaccessreview".
func (*LocalSubjectAccessReviewREST) GetSingularName() string { return "localsubjectaccessreview" }

// Create validates the review and fills in the authorizer's decision.
func (r *LocalSubjectAccessReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.LocalSubjectAccessReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a LocalSubjectAccessReview: %#v", obj))
	}
	if errs := ValidateLocalSubjectAccessReview(review); len(errs) > 0 {
		return nil, invalid("LocalSubjectAccessReview", errs)
	}
	ns := genericapirequest.NamespaceValue(ctx)
	if ns == "" {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("namespace is required on this type: %v", ns))
	}
	if ns != review.Namespace {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("spec.resourceAttributes.namespace must match namespace: %v", ns))
	}
	if err := admit(ctx, obj, createValidation); err != nil {
		return nil, err
	}
	if r.authz == nil {
		return nil, errNoAuthorizer
	}
	review.Status = decide(ctx, r.authz, specAttributes(review.Spec))
	return review, nil
}

// SelfSubjectRulesReviewREST lists what the requesting user may do in a namespace.
type SelfSubjectRulesReviewREST struct{ rules authorizer.RuleResolver }

// NewSelfSubjectRulesReviewREST returns the selfsubjectrulesreviews storage.
func NewSelfSubjectRulesReviewREST(rules authorizer.RuleResolver) *SelfSubjectRulesReviewREST {
	return &SelfSubjectRulesReviewREST{rules: rules}
}

// NamespaceScoped is false.
func (*SelfSubjectRulesReviewREST) NamespaceScoped() bool { return false }

// New returns an empty SelfSubjectRulesReview.
func (*SelfSubjectRulesReviewREST) New() runtime.Object {
	return &authorizationv1.SelfSubjectRulesReview{}
}

// Destroy does nothing.
func (*SelfSubjectRulesReviewREST) Destroy() {}

// GetSingularName returns "selfsubjectrulesreview".
func (*SelfSubjectRulesReviewREST) GetSingularName() string { return "selfsubjectrulesreview" }

// Create returns the rules of the requesting user in spec.namespace.
func (r *SelfSubjectRulesReviewREST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	review, ok := obj.(*authorizationv1.SelfSubjectRulesReview)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a SelfSubjectRulesReview: %#v", obj))
	}
	u, ok := genericapirequest.UserFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("no user present on request")
	}
	if review.Spec.Namespace == "" {
		return nil, apierrors.NewBadRequest("no namespace on request")
	}
	if err := admit(ctx, obj, createValidation); err != nil {
		return nil, err
	}
	if r.rules == nil {
		return nil, errNoAuthorizer
	}
	resourceRules, nonResourceRules, incomplete, err := r.rules.RulesFor(ctx, u, review.Spec.Namespace)
	out := &authorizationv1.SelfSubjectRulesReview{Status: authorizationv1.SubjectRulesReviewStatus{
		ResourceRules:    make([]authorizationv1.ResourceRule, len(resourceRules)),
		NonResourceRules: make([]authorizationv1.NonResourceRule, len(nonResourceRules)),
		Incomplete:       incomplete,
	}}
	for i, rule := range resourceRules {
		out.Status.ResourceRules[i] = authorizationv1.ResourceRule{
			Verbs: rule.GetVerbs(), APIGroups: rule.GetAPIGroups(), Resources: rule.GetResources(), ResourceNames: rule.GetResourceNames(),
		}
	}
	for i, rule := range nonResourceRules {
		out.Status.NonResourceRules[i] = authorizationv1.NonResourceRule{Verbs: rule.GetVerbs(), NonResourceURLs: rule.GetNonResourceURLs()}
	}
	if err != nil {
		out.Status.EvaluationError = err.Error()
	}
	return out, nil
}
