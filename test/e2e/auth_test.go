package e2e

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestAuthCanI: the admin may do anything; a service account with no bindings may not.
func TestAuthCanI(t *testing.T) {
	e := setup(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"create", "pods"}, "yes"},
		{[]string{"create", "pods", "-n", "kube-system"}, "yes"},
		{[]string{"delete", "deployments.apps"}, "yes"},
		{[]string{"get", "secrets", "--all-namespaces"}, "yes"},
		{[]string{"*", "*"}, "yes"},
		{[]string{"create", "pods", "-n", e.ns, "--as=system:serviceaccount:" + e.ns + ":nobody"}, "no"},
		{[]string{"list", "nodes", "--as=alice"}, "no"},
	}
	for _, tt := range tests {
		t.Run(tt.want+" "+tt.args[0]+" "+tt.args[1], func(t *testing.T) {
			e := e.in(t)
			r := e.k.Run(e.ctx, "", append([]string{"auth", "can-i"}, tt.args...)...)
			if r.Err != nil || r.Stdout != tt.want+"\n" {
				t.Fatalf("want %q: %s", tt.want, r)
			}
			// can-i exits 0 for yes and 1 for no.
			if (r.ExitCode == 0) != (tt.want == "yes") {
				t.Errorf("exit code %d for %q", r.ExitCode, tt.want)
			}
		})
	}
}

// TestAuthWhoami: the admin kubeconfig authenticates as kubernetes-admin in system:masters.
func TestAuthWhoami(t *testing.T) {
	e := bare(t, cluster)
	r := e.run("", "auth", "whoami", "-o", "json")
	var review struct {
		APIVersion, Kind string
		Status           struct {
			UserInfo struct {
				Username string
				Groups   []string
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &review); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
	if review.Kind != "SelfSubjectReview" || review.APIVersion != "authentication.k8s.io/v1" {
		t.Errorf("got %s %s, want authentication.k8s.io/v1 SelfSubjectReview", review.APIVersion, review.Kind)
	}
	u := review.Status.UserInfo
	if u.Username != "kubernetes-admin" {
		t.Errorf("username %q, want kubernetes-admin", u.Username)
	}
	for _, g := range []string{"system:masters", "system:authenticated"} {
		if !slices.Contains(u.Groups, g) {
			t.Errorf("groups %v lack %s", u.Groups, g)
		}
	}
	mustMatch(t, "auth whoami", e.run("", "auth", "whoami").Stdout, `(?m)^Username\s+kubernetes-admin$`, `(?m)^Groups\s+\[.*system:masters.*\]$`)
}
