package e2e

import (
	"strings"
	"testing"
)

// TestLabel: label, refuse to overwrite without --overwrite, select by label, remove.
func TestLabel(t *testing.T) {
	e := setup(t)
	e.runNS(configMap("one", "k", "v"), "create", "-f", "-")
	e.runNS(configMap("two", "k", "v"), "create", "-f", "-")
	steps := []struct {
		name    string
		args    []string
		ok      bool
		output  string
		selects string // then `get configmaps -l selects -o name`
		want    string
	}{
		{"add", []string{"label", "configmap", "one", "tier=web"}, true, "configmap/one labeled", "tier=web", "configmap/one"},
		{"add to two", []string{"label", "configmap", "two", "tier=db", "env=prod"}, true, "configmap/two labeled", "env=prod", "configmap/two"},
		{"no overwrite", []string{"label", "configmap", "one", "tier=db"}, false, "'tier' already has a value (web), and --overwrite is false", "tier=db", "configmap/two"},
		{"overwrite", []string{"label", "configmap", "one", "tier=db", "--overwrite"}, true, "configmap/one labeled", "tier=db", "configmap/one configmap/two"},
		{"set-based selector", []string{"label", "configmap", "one", "env=dev"}, true, "configmap/one labeled", "env in (dev,prod),tier!=web", "configmap/one configmap/two"},
		{"remove", []string{"label", "configmap", "one", "tier-"}, true, "configmap/one unlabeled", "tier", "configmap/two"},
		{"not matching", []string{"label", "configmap", "two", "env=staging", "--overwrite"}, true, "configmap/two labeled", "env=prod", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e := e.in(t)
			r := e.k.Run(e.ctx, "", append([]string{"-n", e.ns}, s.args...)...)
			if r.OK() != s.ok {
				t.Fatalf("want ok=%v: %s", s.ok, r)
			}
			mustContain(t, strings.Join(s.args, " "), r.Output(), s.output)
			got := strings.Join(strings.Fields(e.runNS("", "get", "configmaps", "-l", s.selects, "-o", "name").Stdout), " ")
			if got != s.want {
				t.Errorf("get -l %q = %q, want %q", s.selects, got, s.want)
			}
		})
	}
}

// TestAnnotate: annotate, overwrite, remove.
func TestAnnotate(t *testing.T) {
	e := setup(t)
	e.runNS(configMap("cm", "k", "v"), "create", "-f", "-")
	steps := []struct {
		name   string
		args   []string
		ok     bool
		output string
		want   string // .metadata.annotations.note afterwards
	}{
		{"add", []string{"annotate", "configmap", "cm", "note=hello world"}, true, "configmap/cm annotated", "hello world"},
		{"no overwrite", []string{"annotate", "configmap", "cm", "note=other"}, false, "--overwrite is false", "hello world"},
		{"overwrite", []string{"annotate", "configmap", "cm", "note=other", "--overwrite"}, true, "configmap/cm annotated", "other"},
		{"remove", []string{"annotate", "configmap", "cm", "note-"}, true, "configmap/cm annotated", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e := e.in(t)
			r := e.k.Run(e.ctx, "", append([]string{"-n", e.ns}, s.args...)...)
			if r.OK() != s.ok {
				t.Fatalf("want ok=%v: %s", s.ok, r)
			}
			mustContain(t, strings.Join(s.args, " "), r.Output(), s.output)
			if got := e.jsonpath("{.metadata.annotations.note}", "configmap", "cm"); got != s.want {
				t.Errorf("annotation note = %q, want %q", got, s.want)
			}
		})
	}
}
