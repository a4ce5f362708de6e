package server

import (
	"context"
	"slices"
	"strings"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/authorization/path"
	"k8s.io/apiserver/pkg/authorization/union"
)

// newAuthorizer allows system:masters everything and everyone the health and version
// endpoints, and denies the rest. That is what a kube-apiserver with RBAC and only its bootstrap
// policy does for these users; RBAC itself (roles and bindings that grant more) comes later.
func newAuthorizer() (authorizer.Authorizer, authorizer.RuleResolver, error) {
	public, err := path.NewAuthorizer(healthPaths)
	if err != nil {
		return nil, nil, err
	}
	authz, err := union.New(
		union.NamedAuthorizer{AuthorizerName: "system-masters", Authorizer: authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup)},
		union.NamedAuthorizer{AuthorizerName: "public-paths", Authorizer: public},
		union.NamedAuthorizer{AuthorizerName: "basic-user", Authorizer: authorizer.AuthorizerFunc(basicUser)},
	)
	return authz, mastersRules{}, err
}

// basicUser grants every authenticated user what upstream's bootstrap roles system:discovery
// and system:basic-user grant: reading discovery and OpenAPI, and asking who it is and what it may do.
var (
	discoveryPaths = []string{"/api", "/api/*", "/apis", "/apis/*", "/openapi", "/openapi/*", "/version", "/version/"}
	selfReviews    = map[string]string{
		"selfsubjectaccessreviews": "authorization.k8s.io",
		"selfsubjectrulesreviews":  "authorization.k8s.io",
		"selfsubjectreviews":       "authentication.k8s.io",
	}
)

func basicUser(_ context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	if a.GetUser() == nil || !slices.Contains(a.GetUser().GetGroups(), user.AllAuthenticated) {
		return authorizer.DecisionNoOpinion, "", nil
	}
	if a.IsResourceRequest() {
		if group, ok := selfReviews[a.GetResource()]; ok && group == a.GetAPIGroup() && a.GetVerb() == "create" && a.GetSubresource() == "" {
			return authorizer.DecisionAllow, "", nil
		}
		return authorizer.DecisionNoOpinion, "", nil
	}
	if a.GetVerb() != "get" {
		return authorizer.DecisionNoOpinion, "", nil
	}
	for _, p := range discoveryPaths {
		if p == a.GetPath() || (strings.HasSuffix(p, "*") && strings.HasPrefix(a.GetPath(), strings.TrimSuffix(p, "*"))) {
			return authorizer.DecisionAllow, "", nil
		}
	}
	return authorizer.DecisionNoOpinion, "", nil
}

// mastersRules answers SelfSubjectRulesReviews with what newAuthorizer grants: everything for
// system:masters; for other authenticated users the self reviews, discovery and health paths.
type mastersRules struct{}

func (mastersRules) RulesFor(_ context.Context, u user.Info, _ string) ([]authorizer.ResourceRuleInfo, []authorizer.NonResourceRuleInfo, bool, error) {
	all := []string{"*"}
	if slices.Contains(u.GetGroups(), user.SystemPrivilegedGroup) {
		return []authorizer.ResourceRuleInfo{&authorizer.DefaultResourceRuleInfo{Verbs: all, APIGroups: all, Resources: all}},
			[]authorizer.NonResourceRuleInfo{&authorizer.DefaultNonResourceRuleInfo{Verbs: all, NonResourceURLs: all}},
			false, nil
	}
	nonResource := []authorizer.NonResourceRuleInfo{&authorizer.DefaultNonResourceRuleInfo{Verbs: []string{"get"}, NonResourceURLs: healthPaths}}
	if !slices.Contains(u.GetGroups(), user.AllAuthenticated) {
		return nil, nonResource, false, nil
	}
	var resources []authorizer.ResourceRuleInfo
	for resource, group := range selfReviews {
		resources = append(resources, &authorizer.DefaultResourceRuleInfo{Verbs: []string{"create"}, APIGroups: []string{group}, Resources: []string{resource}})
	}
	slices.SortFunc(resources, func(a, b authorizer.ResourceRuleInfo) int {
		return strings.Compare(a.GetResources()[0], b.GetResources()[0])
	})
	nonResource = append(nonResource, &authorizer.DefaultNonResourceRuleInfo{Verbs: []string{"get"}, NonResourceURLs: discoveryPaths})
	return resources, nonResource, false, nil
}
