package server

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
)

func TestAuthorizer(t *testing.T) {
	authz, _, err := newAuthorizer()
	if err != nil {
		t.Fatal(err)
	}
	admin := &user.DefaultInfo{Name: "kubernetes-admin", Groups: []string{user.SystemPrivilegedGroup, user.AllAuthenticated}}
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{user.AllAuthenticated}}
	anonymous := &user.DefaultInfo{Name: user.Anonymous, Groups: []string{user.AllUnauthenticated}}
	resource := func(u user.Info, verb, group, resource string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: u, Verb: verb, APIGroup: group, Resource: resource, ResourceRequest: true}
	}
	path := func(u user.Info, verb, p string) authorizer.AttributesRecord {
		return authorizer.AttributesRecord{User: u, Verb: verb, Path: p}
	}
	cases := []struct {
		name  string
		attrs authorizer.AttributesRecord
		allow bool
	}{
		{"admin creates pods", resource(admin, "create", "", "pods"), true},
		{"admin reads metrics", path(admin, "get", "/metrics"), true},
		{"alice creates pods", resource(alice, "create", "", "pods"), false},
		{"alice lists nodes", resource(alice, "list", "", "nodes"), false},
		{"alice asks what she may do", resource(alice, "create", "authorization.k8s.io", "selfsubjectaccessreviews"), true},
		{"alice asks who she is", resource(alice, "create", "authentication.k8s.io", "selfsubjectreviews"), true},
		{"alice reviews others", resource(alice, "create", "authorization.k8s.io", "subjectaccessreviews"), false},
		{"alice reads discovery", path(alice, "get", "/apis/apps/v1"), true},
		{"alice reads openapi", path(alice, "get", "/openapi/v3"), true},
		{"alice reads metrics", path(alice, "get", "/metrics"), false},
		{"anonymous health", path(anonymous, "get", "/readyz"), true},
		{"anonymous discovery", path(anonymous, "get", "/apis"), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			decision, _, err := authz.Authorize(context.Background(), tc.attrs)
			if err != nil {
				t.Fatal(err)
			}
			if got := decision == authorizer.DecisionAllow; got != tc.allow {
				t.Errorf("allowed = %v, want %v", got, tc.allow)
			}
		})
	}
}

// The rules a SelfSubjectRulesReview reports grant what the authorizer allows.
func TestRulesMatchAuthorizer(t *testing.T) {
	authz, rules, err := newAuthorizer()
	if err != nil {
		t.Fatal(err)
	}
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{user.AllAuthenticated}}
	resources, nonResources, _, err := rules.RulesFor(context.Background(), alice, "default")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range resources {
		for _, verb := range r.GetVerbs() {
			attrs := authorizer.AttributesRecord{User: alice, Verb: verb, APIGroup: r.GetAPIGroups()[0], Resource: r.GetResources()[0], ResourceRequest: true}
			if decision, _, _ := authz.Authorize(context.Background(), attrs); decision != authorizer.DecisionAllow {
				t.Errorf("rule %v %v/%v is not allowed", verb, r.GetAPIGroups(), r.GetResources())
			}
		}
	}
	if len(resources) != 3 || len(nonResources) != 2 {
		t.Errorf("rules: %d resource, %d non-resource, want 3 and 2", len(resources), len(nonResources))
	}
	for _, r := range nonResources {
		for _, url := range r.GetNonResourceURLs() {
			path := strings.TrimSuffix(url, "*") + "x"
			if !strings.HasSuffix(url, "*") {
				path = url
			}
			if decision, _, _ := authz.Authorize(context.Background(), authorizer.AttributesRecord{User: alice, Verb: "get", Path: path}); decision != authorizer.DecisionAllow {
				t.Errorf("non-resource rule for %s is not allowed", url)
			}
		}
	}
}
