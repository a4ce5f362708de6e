package e2e

import (
	"strings"
	"testing"
)

// TestPatch: the three patch types kubectl sends, each with the semantics that tells it apart.
func TestPatch(t *testing.T) {
	tests := []struct {
		name     string
		setup    string // manifest created first
		resource string
		typ      string
		patch    string
		printed  string
		jsonpath string
		want     string
	}{
		{
			// Strategic merge merges the containers list by name: the sidecar joins main.
			name: "strategic merges lists by key", setup: deployment("web", "nginx:1.27", 1), resource: "deployment/web",
			typ: "strategic", patch: `{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}`,
			printed: "deployment.apps/web patched", jsonpath: "{.spec.template.spec.containers[*].name}", want: "sidecar main",
		},
		{
			// A JSON merge patch replaces lists whole.
			name: "merge replaces lists", setup: deployment("web", "nginx:1.27", 1), resource: "deployment/web",
			typ: "merge", patch: `{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}`,
			printed: "deployment.apps/web patched", jsonpath: "{.spec.template.spec.containers[*].name}", want: "sidecar",
		},
		{
			name: "merge null deletes a key", setup: configMap("cm", "a", "1", "b", "2"), resource: "configmap/cm",
			typ: "merge", patch: `{"data":{"a":null,"c":"3"}}`,
			printed: "configmap/cm patched", jsonpath: "{.data}", want: `{"b":"2","c":"3"}`,
		},
		{
			name: "strategic on a map", setup: configMap("cm", "a", "1"), resource: "configmap/cm",
			typ: "strategic", patch: `{"data":{"b":"2"}}`,
			printed: "configmap/cm patched", jsonpath: "{.data}", want: `{"a":"1","b":"2"}`,
		},
		{
			name: "json add and remove", setup: configMap("cm", "a", "1", "b", "2"), resource: "configmap/cm",
			typ: "json", patch: `[{"op":"add","path":"/data/c","value":"3"},{"op":"remove","path":"/data/a"}]`,
			printed: "configmap/cm patched", jsonpath: "{.data}", want: `{"b":"2","c":"3"}`,
		},
		{
			name: "json replace in a list", setup: deployment("web", "nginx:1.27", 1), resource: "deployment/web",
			typ: "json", patch: `[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]`,
			printed: "deployment.apps/web patched", jsonpath: "{.spec.template.spec.containers[0].image}", want: "nginx:1.28",
		},
		{
			name: "no change", setup: configMap("cm", "a", "1"), resource: "configmap/cm",
			typ: "merge", patch: `{"data":{"a":"1"}}`,
			printed: "configmap/cm patched (no change)", jsonpath: "{.data}", want: `{"a":"1"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.runNS(tt.setup, "create", "-f", "-")
			r := e.runNS("", "patch", tt.resource, "--type="+tt.typ, "-p", tt.patch)
			if got := strings.TrimSpace(r.Stdout); got != tt.printed {
				t.Errorf("patch printed %q, want %q", got, tt.printed)
			}
			if got := e.jsonpath(tt.jsonpath, tt.resource); got != tt.want {
				t.Errorf("%s = %s, want %s", tt.jsonpath, got, tt.want)
			}
		})
	}

	failures := []struct {
		name, setup, resource, typ, patch string
		errors                            []string
	}{
		{"json test op fails", configMap("cm", "a", "1"), "configmap/cm", "json",
			`[{"op":"test","path":"/data/a","value":"2"},{"op":"replace","path":"/data/a","value":"3"}]`,
			[]string{"The request is invalid: the server rejected our request due to an error in our request"}},
		{"invalid result", deployment("web", "nginx:1.27", 1), "deployment/web", "merge",
			`{"spec":{"replicas":-1}}`,
			[]string{`The Deployment "web" is invalid`, "spec.replicas: Invalid value: -1: must be greater than or equal to 0"}},
		{"immutable selector", deployment("web", "nginx:1.27", 1), "deployment/web", "merge",
			`{"spec":{"selector":{"matchLabels":{"app":"other"}}}}`,
			[]string{`The Deployment "web" is invalid`, "spec.selector", "field is immutable"}},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.runNS(tt.setup, "create", "-f", "-")
			// Not the resourceVersion: controllers write the Deployment's status meanwhile.
			const what = "{.metadata.generation} {.metadata.labels} {.data} {.spec}"
			before := e.jsonpath(what, tt.resource)
			r := e.failNS("", "patch", tt.resource, "--type="+tt.typ, "-p", tt.patch)
			mustContain(t, "patch", r.Stderr, tt.errors...)
			if after := e.jsonpath(what, tt.resource); after != before {
				t.Errorf("a failed patch changed the object:\n%s\n->\n%s", before, after)
			}
		})
	}
}
