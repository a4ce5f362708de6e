package e2e

import (
	"encoding/json"
	"testing"
	"time"

	utilversion "k8s.io/apimachinery/pkg/util/version"
)

// TestVersion: kubectl can parse the server's version, and it claims Kubernetes 1.37.
func TestVersion(t *testing.T) {
	e := bare(t, cluster)
	r := e.run("", "version", "-o", "json")
	var v struct {
		ServerVersion *struct {
			Major, Minor, GitVersion, GitTreeState, BuildDate, GoVersion, Platform string
		} `json:"serverVersion"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &v); err != nil {
		t.Fatalf("decoding %s: %v", r, err)
	}
	sv := v.ServerVersion
	if sv == nil {
		t.Fatalf("no serverVersion in %s", r)
	}
	semver, err := utilversion.ParseSemantic(sv.GitVersion)
	if err != nil {
		t.Fatalf("gitVersion %q is not semantic: %v", sv.GitVersion, err)
	}
	if semver.Major() != 1 || semver.Minor() != 37 {
		t.Errorf("gitVersion %q: want 1.37.x", sv.GitVersion)
	}
	if sv.Major != "1" || sv.Minor != "37" {
		t.Errorf("major.minor = %q.%q, want 1.37", sv.Major, sv.Minor)
	}
	if _, err := time.Parse(time.RFC3339, sv.BuildDate); err != nil {
		t.Errorf("buildDate %q: %v", sv.BuildDate, err)
	}
	if sv.GoVersion == "" || sv.Platform == "" {
		t.Errorf("goVersion %q, platform %q: want both set", sv.GoVersion, sv.Platform)
	}
	// The plain output fails outright when kubectl cannot parse the server's version.
	r = e.run("", "version")
	mustContain(t, "kubectl version", r.Stdout, "Server Version: "+sv.GitVersion)
}
