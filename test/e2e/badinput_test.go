package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestBadInput: what kubectl and the server say to input they must refuse, and that nothing is
// left behind by a refused request.
func TestBadInput(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name     string
		stdin    string
		args     []string
		errors   []string // in stderr
		leftover string   // this object must not exist afterwards
	}{
		{"malformed YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  labels: [unclosed\n",
			[]string{"apply", "-f", "-"}, []string{"error", "yaml"}, "configmap/broken"},
		{"unknown top-level field", configMap("strict1", "a", "b") + "bogus: 1\n",
			[]string{"create", "--validate=strict", "-f", "-"}, []string{`unknown field "bogus"`}, "configmap/strict1"},
		{"unknown nested field", strings.Replace(deployment("strict2", "nginx:1.27", 1), "image: nginx:1.27", "image: nginx:1.27\n        imagePullPolcy: Always", 1),
			[]string{"apply", "--validate=strict", "-f", "-"}, []string{`unknown field "spec.template.spec.containers[0].imagePullPolcy"`}, "deployment/strict2"},
		{"kind not in that version", "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: wrongversion\n",
			[]string{"create", "-f", "-"}, []string{`no matches for kind "Deployment" in version "v1"`}, "deployment/wrongversion"},
		{"invalid name", "", []string{"create", "configmap", "Bad_Name"},
			[]string{`ConfigMap "Bad_Name" is invalid`, `metadata.name: Invalid value: "Bad_Name"`, "RFC 1123 subdomain"}, ""},
		{"missing required field", "apiVersion: v1\nkind: Service\nmetadata:\n  name: noports\nspec:\n  selector:\n    app: x\n",
			[]string{"create", "-f", "-"}, []string{`The Service "noports" is invalid`, "spec.ports: Required value"}, "service/noports"},
		{"2 MiB ConfigMap", bigConfigMap("big", 2<<20), []string{"create", "-f", "-"},
			[]string{`The ConfigMap "big" is invalid`, "Too long"}, "configmap/big"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.in(t)
			r := e.failNS(tt.stdin, tt.args...)
			mustContain(t, tt.name, strings.ToLower(r.Stderr), lower(tt.errors)...)
			if tt.leftover != "" {
				g := e.failNS("", "get", tt.leftover)
				mustContain(t, "get after a refused create", g.Stderr, "NotFound")
			}
		})
	}

	t.Run("warn creates with a warning", func(t *testing.T) {
		e := e.in(t)
		r := e.runNS(configMap("lenient", "a", "b")+"bogus: 1\n", "create", "--validate=warn", "-f", "-")
		mustContain(t, "create --validate=warn", r.Stderr, `Warning: unknown field "bogus"`)
		e.runNS("", "get", "configmap", "lenient")
	})

	// The status codes of the two refusals the issue names, straight from the API.
	statuses := []struct {
		name   string
		body   string
		code   int // exact, or 0 for any 4xx
		reason string
	}{
		{"invalid name is 422", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}`, 422, "Invalid"},
		{"2 MiB ConfigMap is 4xx", bigConfigMapJSON("big", 2<<20), 0, ""},
	}
	for _, s := range statuses {
		t.Run(s.name, func(t *testing.T) {
			code, body, err := e.server.Raw(e.ctx, "POST", "/api/v1/namespaces/"+e.ns+"/configmaps", []byte(s.body))
			if err != nil {
				t.Fatal(err)
			}
			if (s.code != 0 && code != s.code) || code < 400 || code >= 500 {
				t.Fatalf("status %d, want %d (4xx): %.500s", code, s.code, body)
			}
			var status struct{ Kind, Reason string }
			if err := json.Unmarshal(body, &status); err != nil || status.Kind != "Status" {
				t.Errorf("body is not a Status (%v): %.500s", err, body)
			}
			if s.reason != "" && status.Reason != s.reason {
				t.Errorf("reason %q, want %q", status.Reason, s.reason)
			}
		})
	}
	e.failNS("", "get", "configmap", "big")
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

func bigConfigMap(name string, size int) string {
	return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  blob: %s\n", name, strings.Repeat("x", size))
}

func bigConfigMapJSON(name string, size int) string {
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":%q},"data":{"blob":%q}}`, name, strings.Repeat("x", size))
}
