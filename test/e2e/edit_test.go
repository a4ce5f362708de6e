package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEdit: kubectl edit with KUBE_EDITOR set to a sed script, as a person would with vi.
func TestEdit(t *testing.T) {
	tests := []struct {
		name     string
		setup    string
		resource string
		sed      string // the editor: sed -i with this script on the file kubectl hands it
		ok       bool
		output   string // in stdout when ok, else in stderr
		jsonpath string
		want     string
	}{
		{"change a value", configMap("cm", "greeting", "hello"), "configmap/cm",
			`s/greeting: hello/greeting: goodbye/`, true, "configmap/cm edited", "{.data.greeting}", "goodbye"},
		{"add a label", configMap("cm", "greeting", "hello"), "configmap/cm",
			`/^  name: cm$/a\  labels:\n    edited: "yes"`, true, "configmap/cm edited", "{.metadata.labels.edited}", "yes"},
		{"scale a deployment", deployment("web", "nginx:1.27", 1), "deployment/web",
			`s/^  replicas: 1$/  replicas: 4/`, true, "deployment.apps/web edited", "{.spec.replicas}", "4"},
		{"no change", configMap("cm", "greeting", "hello"), "configmap/cm",
			``, true, "Edit cancelled, no changes made.", "{.data.greeting}", "hello"},
		{"invalid edit is refused", deployment("web", "nginx:1.27", 1), "deployment/web",
			`s/^  replicas: 1$/  replicas: -1/`, false, `deployments.apps "web" is invalid`, "{.spec.replicas}", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.runNS(tt.setup, "create", "-f", "-")
			editor := filepath.Join(t.TempDir(), "editor.sh")
			script := "#!/bin/sh\nexec sed -i -e '" + tt.sed + "' \"$1\"\n"
			if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			k := e.k.With("KUBE_EDITOR="+editor, "EDITOR=")
			r := k.Run(e.ctx, "", "-n", e.ns, "edit", tt.resource)
			if tt.ok {
				if !r.OK() {
					t.Fatalf("edit failed: %s", r)
				}
				mustContain(t, "edit", r.Output(), tt.output)
			} else {
				if r.OK() {
					t.Fatalf("edit succeeded, want it refused: %s", r)
				}
				mustContain(t, "edit", r.Stderr, tt.output, "Edit cancelled, no valid changes were saved.")
			}
			if got := e.jsonpath(tt.jsonpath, tt.resource); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.jsonpath, got, tt.want)
			}
		})
	}
}
