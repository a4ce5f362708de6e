package e2e

import (
	"fmt"
	"path"
	"strings"
	"testing"
)

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func configMap(name string, data ...string) string {
	s := fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n", name)
	for i := 0; i+1 < len(data); i += 2 {
		s += fmt.Sprintf("  %s: %q\n", data[i], data[i+1])
	}
	return s
}

func deployment(name, image string, replicas int) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  labels:
    app: %[1]s
spec:
  replicas: %[3]d
  selector:
    matchLabels:
      app: %[1]s
  template:
    metadata:
      labels:
        app: %[1]s
    spec:
      containers:
      - name: main
        image: %[2]s
`, name, image, replicas)
}

// TestApply: client-side apply creates, leaves an unchanged object alone, and three-way merges a
// change: fields dropped from the manifest go, fields someone else set stay.
func TestApply(t *testing.T) {
	tests := []struct {
		name, resource     string
		first, second      string
		jsonpath           string
		afterFirst, afterS string
		// foreign is a merge patch another client applies between the two applies; it survives.
		foreign string
	}{
		{
			name: "configmap", resource: "configmap/app",
			first:      configMap("app", "a", "1", "b", "2"),
			second:     configMap("app", "a", "10", "c", "3"),
			foreign:    `{"data":{"extra":"kept"}}`,
			jsonpath:   "{.data.a},{.data.b},{.data.c},{.data.extra}",
			afterFirst: "1,2,,", afterS: "10,,3,kept",
		},
		{
			name: "deployment", resource: "deployment.apps/web",
			first:      deployment("web", "nginx:1.26", 1),
			second:     deployment("web", "nginx:1.27", 2),
			foreign:    `{"metadata":{"annotations":{"extra":"kept"}}}`,
			jsonpath:   "{.spec.replicas},{.spec.template.spec.containers[0].image},{.metadata.annotations.extra}",
			afterFirst: "1,nginx:1.26,", afterS: "2,nginx:1.27,kept",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			if got := e.runNS(tt.first, "apply", "-f", "-").Stdout; got != tt.resource+" created\n" {
				t.Errorf("first apply printed %q", got)
			}
			if got := e.jsonpath(tt.jsonpath, tt.resource); got != tt.afterFirst {
				t.Errorf("after first apply %s = %q, want %q", tt.jsonpath, got, tt.afterFirst)
			}
			if got := e.runNS(tt.first, "apply", "-f", "-").Stdout; got != tt.resource+" unchanged\n" {
				t.Errorf("same apply again printed %q", got)
			}
			e.runNS("", "patch", tt.resource, "--type=merge", "-p", tt.foreign)
			if got := e.runNS(tt.second, "apply", "-f", "-").Stdout; got != tt.resource+" configured\n" {
				t.Errorf("changed apply printed %q", got)
			}
			if got := e.jsonpath(tt.jsonpath, tt.resource); got != tt.afterS {
				t.Errorf("after second apply %s = %q, want %q", tt.jsonpath, got, tt.afterS)
			}
			view := e.runNS("", "apply", "view-last-applied", tt.resource).Stdout
			mustContain(t, "view-last-applied", view, "name: "+path.Base(tt.resource))
			if ann := e.jsonpath("{.metadata.annotations}", tt.resource); ann == "" {
				t.Errorf("no annotations, want %s", lastApplied)
			} else {
				mustContain(t, "annotations", ann, lastApplied)
			}
		})
	}
}

// TestApplyServerSide: server-side apply records the field manager, refuses to take a field another
// manager owns, and takes it with --force-conflicts.
func TestApplyServerSide(t *testing.T) {
	tests := []struct {
		name, resource, first, conflicting, jsonpath, want, conflictPath string
	}{
		{"configmap", "configmap/ssa", configMap("ssa", "owner", "first"), configMap("ssa", "owner", "second"),
			"{.data.owner}", "second", ".data.owner"},
		{"deployment", "deployment.apps/ssa", deployment("ssa", "nginx:1.26", 1), deployment("ssa", "nginx:1.27", 1),
			"{.spec.template.spec.containers[0].image}", "nginx:1.27", `.spec.template.spec.containers[name="main"].image`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			if got := e.runNS(tt.first, "apply", "--server-side", "-f", "-").Stdout; got != tt.resource+" serverside-applied\n" {
				t.Errorf("apply --server-side printed %q", got)
			}
			managers := e.jsonpath(`{range .metadata.managedFields[*]}{.manager}/{.operation} {end}`, tt.resource)
			mustContain(t, "managedFields", managers, "kubectl/Apply")

			r := e.failNS(tt.conflicting, "apply", "--server-side", "--field-manager=other", "-f", "-")
			mustContain(t, "conflicting apply", r.Stderr, "conflict", `conflict with "kubectl"`, tt.conflictPath)

			e.runNS(tt.conflicting, "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-")
			if got := e.jsonpath(tt.jsonpath, tt.resource); got != tt.want {
				t.Errorf("after --force-conflicts %s = %q, want %q", tt.jsonpath, got, tt.want)
			}
			managers = e.jsonpath(`{range .metadata.managedFields[*]}{.manager}/{.operation} {end}`, tt.resource)
			mustContain(t, "managedFields", managers, "other/Apply")
		})
	}
}

// TestDiff: kubectl diff exits 0 with no output for an unchanged object, 1 with a unified diff of
// the server's dry run for a change, on both client- and server-side apply.
func TestDiff(t *testing.T) {
	e := setup(t)
	for _, mode := range []string{"--server-side=false", "--server-side=true"} {
		t.Run(mode, func(t *testing.T) {
			e := e.in(t)
			name := "diff" + strings.TrimPrefix(mode, "--server-side=")
			e.runNS(configMap(name, "key", "old", "same", "x"), "apply", mode, "-f", "-")
			r := e.k.Run(e.ctx, configMap(name, "key", "old", "same", "x"), "-n", e.ns, "diff", mode, "-f", "-")
			if r.Err != nil || r.ExitCode != 0 || r.Stdout != "" {
				t.Errorf("diff of the unchanged object: want exit 0 and no output, got %s", r)
			}
			r = e.k.Run(e.ctx, configMap(name, "key", "new", "same", "x"), "-n", e.ns, "diff", mode, "-f", "-")
			if r.Err != nil || r.ExitCode != 1 {
				t.Fatalf("diff of a change: want exit 1, got %s", r)
			}
			mustMatch(t, "diff", r.Stdout, `(?m)^-\s+key: old$`, `(?m)^\+\s+key: new$`, `(?m)^ \s+same: x$`)
			r = e.k.Run(e.ctx, configMap(name+"-new", "k", "v"), "-n", e.ns, "diff", mode, "-f", "-")
			if r.Err != nil || r.ExitCode != 1 {
				t.Fatalf("diff of a new object: want exit 1, got %s", r)
			}
			mustMatch(t, "diff", r.Stdout, `(?m)^\+\s+name: `+name+`-new$`)
			// diff is a dry run: nothing changed.
			if got := e.jsonpath("{.data.key}", "configmap", name); got != "old" {
				t.Errorf("after diff data.key = %q, want old", got)
			}
			e.failNS("", "get", "configmap", name+"-new")
		})
	}
}
